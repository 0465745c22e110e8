using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Xref.Observability;

namespace Xref.ExternalReferences;

/// <summary>
/// Remembers recently served pages of each listing: the listing's version when the page was read, where the page
/// ended (its last row's sort value and id), and, within a row budget, the page's rows and count. Every use is
/// checked against the listing's version in the database, read by the same request, so an entry is used only while
/// no write to the listing has committed since it was recorded, on any node:
/// <list type="bullet">
/// <item>the next page of the listing seeks past the remembered end instead of skipping every earlier row with
/// OFFSET, so a walk over 200,000 references stays linear;</item>
/// <item>the same page asked again (a sync job polling its failed references) is served from the remembered rows
/// and count once the listing has been seen unchanged between two reads: the request reads only the version, one
/// small statement instead of the count, version and page (see ExternalReferenceStore.ListAsync).</item>
/// </list>
/// <para>
/// Why nothing cheaper: OFFSET is linear. On PostgreSQL, page 2,501 (OFFSET 50,000) of a vacuumed table is an
/// index-only scan of 50,020 entries taking 5 ms; once upserts clear visibility-map bits it needs heap fetches
/// again, and 32 such requests at once on 2 cores queued to 0.38 s p50. Without a remembered boundary only a skip
/// structure (this cache by another name) avoids the scan.
/// </para>
/// <para>
/// Memory is bounded per account: each account has a share of <see cref="PerAccount"/> entries and
/// <see cref="RowsPerAccount"/> rows, which it alone fills and clears, so one tenant cannot flush another's pages; all
/// shares together hold at most <see cref="Total"/> entries, after which everything starts over, and
/// <see cref="TotalRows"/> rows (about 25 MB). Listings are keyed by the SHA-256 hash of their key (its filters can
/// be kilobytes of text), 16 bytes each.
/// </para>
/// </summary>
public sealed class PageCache(bool enabled)
{
    public const int PerAccount = 1_000;
    public const int Total = 20_000;
    public const int RowsPerAccount = 4_000;
    public const int TotalRows = 40_000;
    public const int PagesWithRows = 5;

    /// <summary>Where a full page ended: the next page starts after this row.</summary>
    public readonly record struct Boundary(long SortValue, long Id);

    /// <summary>
    /// One served page: the listing's version it was read at, the count then, its end when it was full, its rows when
    /// kept, and whether the version was the same at the read before (the listing is not being written to).
    /// </summary>
    public readonly record struct Entry(long Version, long Count, Boundary? End, ExternalReference[]? Rows, bool Unchanged)
    {
        /// <summary>Worth checking the version alone before reading the page: its rows are kept, and the listing was quiet.</summary>
        public bool Reusable => Rows is not null && Unchanged;
    }

    /// <summary>A listing (account, filters, order, page size), hashed once per request.</summary>
    public readonly record struct Listing(long AccountId, UInt128 Hash);

    private sealed class Share
    {
        public readonly Dictionary<(UInt128 Listing, long Page), Entry> Entries = [];
        public int Rows;
    }

    private ConcurrentDictionary<long, Share> accounts = new();
    // Totals over every share. A Set racing with a start-over may add to the new totals for a share already
    // dropped; the totals then overstate, and the cache starts over a little early: never later than its bounds.
    private int entries, rows;

    public bool Enabled => enabled;

    /// <summary>How many pages were served by seeking (for tests and diagnostics).</summary>
    public long Seeks => Interlocked.Read(ref seeks);
    private long seeks;

    /// <summary>How many rows all shares keep (for tests and diagnostics).</summary>
    public int RowsKept => Volatile.Read(ref rows);

    /// <summary>How many pages were served from remembered rows (for tests and diagnostics).</summary>
    public long Reuses => Interlocked.Read(ref reuses);
    private long reuses;

    public static Listing ListingOf(long accountId, string key)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), digest);
        return new(accountId, new UInt128(BitConverter.ToUInt64(digest), BitConverter.ToUInt64(digest[8..])));
    }

    public bool TryGet(Listing listing, long page, out Entry entry)
    {
        entry = default;
        if (!enabled || !accounts.TryGetValue(listing.AccountId, out var share)) return false;
        lock (share) return share.Entries.TryGetValue((listing.Hash, page), out entry);
    }

    /// <summary>
    /// Remembers a page just read. Its rows are kept for the first <see cref="PagesWithRows"/> pages only (the pages a
    /// poll asks again; a walk reads each later page once per version), and only while the budgets allow: a share whose
    /// rows would pass its budget forgets its rows first (not its boundaries), as all shares do at the total's budget.
    /// </summary>
    public void Set(Listing listing, long page, long version, long count, Boundary? end, IReadOnlyList<ExternalReference> pageRows, bool unchanged)
    {
        if (!enabled) return;
        if (Volatile.Read(ref entries) >= Total) StartOver();
        var keep = page <= PagesWithRows && pageRows.Count <= RowsPerAccount;
        if (keep && Volatile.Read(ref rows) + pageRows.Count > TotalRows)
            foreach (var other in accounts.Values)
                lock (other) ForgetRows(other);
        var share = accounts.GetOrAdd(listing.AccountId, _ => new());
        lock (share)
        {
            // Bounded without bookkeeping: a full share starts over; walks and polls refill it page by page.
            if (share.Entries.Count >= PerAccount)
            {
                ForgetRows(share);
                Interlocked.Add(ref entries, -share.Entries.Count);
                share.Entries.Clear();
            }
            if (keep && share.Rows + pageRows.Count > RowsPerAccount) ForgetRows(share);
            var key = (listing.Hash, page);
            if (share.Entries.Remove(key, out var replaced))
            {
                Interlocked.Decrement(ref entries);
                AddRows(share, -(replaced.Rows?.Length ?? 0));
            }
            share.Entries[key] = new(version, count, end, keep ? [.. pageRows] : null, unchanged);
            Interlocked.Increment(ref entries);
            if (keep) AddRows(share, pageRows.Count);
        }
    }

    private void AddRows(Share share, int count)
    {
        share.Rows += count;
        Interlocked.Add(ref rows, count);
    }

    /// <summary>Drops the rows a share keeps, not its entries (called under the share's lock).</summary>
    private void ForgetRows(Share share)
    {
        if (share.Rows == 0) return;
        foreach (var (key, entry) in share.Entries.ToList())
            if (entry.Rows is not null) share.Entries[key] = entry with { Rows = null };
        AddRows(share, -share.Rows);
    }

    public void CountSeek()
    {
        Interlocked.Increment(ref seeks);
        XrefMetrics.PageCacheHit();
    }

    public void CountReuse()
    {
        Interlocked.Increment(ref reuses);
        XrefMetrics.PageReused();
    }

    /// <summary>Forgets every page (a sandbox reset: the data and its ids start again).</summary>
    public void Clear() => StartOver();

    private void StartOver()
    {
        accounts = new();
        Volatile.Write(ref entries, 0);
        Volatile.Write(ref rows, 0);
    }
}
