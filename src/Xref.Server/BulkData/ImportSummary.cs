namespace Xref.BulkData;

/// <summary>
/// What an import did: counts, and the rejected lines with their reasons (the first 1,000 found are kept).
/// Thread-safe: lines are validated while the previous batch is written.
/// </summary>
public sealed class ImportSummary
{
    public const int MaxListedRejections = 1000;

    private readonly Lock gate = new();
    private long created, updated, rejectedCount;
    private readonly List<(long Line, string Reason)> rejected = [];

    public long Created => Interlocked.Read(ref created);
    public long Updated => Interlocked.Read(ref updated);
    public long RejectedCount => Interlocked.Read(ref rejectedCount);

    /// <summary>The kept rejections, in line order.</summary>
    public IReadOnlyList<(long Line, string Reason)> Rejected
    {
        get { lock (gate) return [.. rejected.OrderBy(r => r.Line)]; }
    }

    public void AddCreated() => Interlocked.Increment(ref created);

    public void AddUpdated() => Interlocked.Increment(ref updated);

    public void Reject(long line, string reason)
    {
        lock (gate)
        {
            rejectedCount++;
            if (rejected.Count < MaxListedRejections) rejected.Add((line, reason));
        }
    }
}
