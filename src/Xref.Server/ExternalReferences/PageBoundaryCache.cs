using System.Collections.Concurrent;

namespace Xref.ExternalReferences;

/// <summary>
/// Remembers where recently served pages of a listing ended (the last row's sort value and id) and the
/// listing's version when they were read. The next page of the same listing then seeks past that row
/// instead of skipping every earlier row with OFFSET, so a walk over 200,000 references stays linear.
/// An entry is used only while the listing's version in the database is unchanged (no write to it has
/// committed since, on any node); otherwise the query falls back to OFFSET.
/// <para>
/// Why nothing cheaper: OFFSET is linear. On PostgreSQL, page 2,501 (OFFSET 50,000) of a vacuumed table is an
/// index-only scan of 50,020 entries taking 5 ms; once upserts clear visibility-map bits it needs heap fetches
/// again, and 32 such requests at once on 2 cores queued to 0.38 s p50. Without a remembered boundary only a skip
/// structure (this cache by another name) avoids the scan.
/// </para>
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
