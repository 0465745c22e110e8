using System.Collections.Concurrent;

namespace Xref.ExternalReferences;

/// <summary>
/// Remembers where recently served pages of a listing ended (the last row's sort value and id) and the
/// listing's version when they were read. The next page of the same listing then seeks past that row
/// instead of skipping every earlier row with OFFSET, so a walk over 200,000 references stays linear.
/// An entry is used only while the listing's version in the database is unchanged (no write to it has
/// committed since, on any node); otherwise the query falls back to OFFSET.
/// </summary>
public sealed class PageBoundaryCache(bool enabled, int capacity = 20_000)
{
    public readonly record struct Boundary(long SortValue, long Id, long Version);

    private readonly ConcurrentDictionary<string, Boundary> entries = new();

    public bool Enabled => enabled;

    /// <summary>How many pages were served by seeking (for tests and diagnostics).</summary>
    public long Seeks => Interlocked.Read(ref seeks);
    private long seeks;

    public bool TryGet(string key, out Boundary boundary)
    {
        boundary = default;
        return enabled && entries.TryGetValue(key, out boundary);
    }

    public void Set(string key, Boundary boundary)
    {
        if (!enabled) return;
        // Bounded memory without bookkeeping: a full cache starts over; walks refill it page by page.
        if (entries.Count >= capacity) entries.Clear();
        entries[key] = boundary;
    }

    public void CountSeek() => Interlocked.Increment(ref seeks);
}
