namespace Xref.BulkData;

/// <summary>
/// What an import did with one record type: counts, and the rejected lines grouped by reason, each reason with its
/// count and its first <see cref="LinesPerReason"/> line numbers, so one mistake that rejects 50,000 lines is one
/// entry, not 50,000. Reasons name the type or account at fault rather than each line's own id, so that they group.
/// Thread-safe: lines are validated while the previous batch is written.
/// </summary>
public sealed class ImportSummary(string what)
{
    public const int LinesPerReason = 5;

    /// <summary>Distinct reasons kept; the lines of any further reason are only counted.</summary>
    public const int MaxReasons = 100;

    private readonly Lock gate = new();
    private long created, updated, unchanged, rejectedCount;
    private readonly Dictionary<string, Rejection> reasons = [];

    /// <summary>The record type's plural, as the report names it ("references", "accounts").</summary>
    public string What { get; } = what;

    public long Created => Interlocked.Read(ref created);
    public long Updated => Interlocked.Read(ref updated);
    public long Unchanged => Interlocked.Read(ref unchanged);
    public long RejectedCount => Interlocked.Read(ref rejectedCount);
    public long Seen => Created + Updated + Unchanged + RejectedCount;

    /// <summary>The kept reasons, the one first met in the file first.</summary>
    public IReadOnlyList<Rejection> Rejections
    {
        get { lock (gate) return [.. reasons.Values.OrderBy(r => r.FirstLines.Min())]; }
    }

    /// <summary>Rejected lines whose reason was not kept (more than <see cref="MaxReasons"/> distinct reasons).</summary>
    public long UnlistedRejections
    {
        get { lock (gate) return rejectedCount - reasons.Values.Sum(r => r.Count); }
    }

    public void AddCreated() => Interlocked.Increment(ref created);

    public void AddUpdated() => Interlocked.Increment(ref updated);

    public void AddUnchanged() => Interlocked.Increment(ref unchanged);

    public void Reject(long line, string reason)
    {
        lock (gate)
        {
            rejectedCount++;
            if (!reasons.TryGetValue(reason, out var group))
            {
                if (reasons.Count >= MaxReasons) return;
                reasons[reason] = group = new Rejection(reason);
            }
            group.Add(line);
        }
    }

    /// <summary>One reason, how many lines it rejected, and the first of them (batches may finish out of line order).</summary>
    public sealed class Rejection(string reason)
    {
        private readonly SortedSet<long> firstLines = [];

        public string Reason { get; } = reason;
        public long Count { get; private set; }
        public IReadOnlyCollection<long> FirstLines => firstLines;

        internal void Add(long line)
        {
            Count++;
            firstLines.Add(line);
            if (firstLines.Count > LinesPerReason) firstLines.Remove(firstLines.Max);
        }
    }
}
