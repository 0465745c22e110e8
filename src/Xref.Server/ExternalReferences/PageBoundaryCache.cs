using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Xref.Observability;

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
/// <para>
/// Memory is bounded per account: each account has a share of <see cref="PerAccount"/> entries, which it alone
/// fills and clears, so one tenant cannot flush another's walks; all shares together hold at most
/// <see cref="Total"/>, after which everything starts over. Keys are SHA-256 hashes of the listing (its filters
/// can be kilobytes of text), 16 bytes each.
/// </para>
/// </summary>
public sealed class PageBoundaryCache(bool enabled)
{
    public const int PerAccount = 1_000;
    public const int Total = 20_000;

    public readonly record struct Boundary(long SortValue, long Id, long Version);

    private readonly ConcurrentDictionary<long, ConcurrentDictionary<UInt128, Boundary>> accounts = new();
    private int count;

    public bool Enabled => enabled;

    /// <summary>How many pages were served by seeking (for tests and diagnostics).</summary>
    public long Seeks => Interlocked.Read(ref seeks);
    private long seeks;

    public bool TryGet(long accountId, string key, out Boundary boundary)
    {
        boundary = default;
        var found = enabled && accounts.TryGetValue(accountId, out var share) && share.TryGetValue(Hash(key), out boundary);
        if (!found) XrefMetrics.PageCacheMiss();
        return found;
    }

    public void Set(long accountId, string key, Boundary boundary)
    {
        if (!enabled) return;
        if (Volatile.Read(ref count) >= Total)
        {
            accounts.Clear();
            Volatile.Write(ref count, 0);
        }
        var share = accounts.GetOrAdd(accountId, _ => new());
        // Bounded without bookkeeping: a full share starts over; walks refill it page by page.
        if (share.Count >= PerAccount)
        {
            Interlocked.Add(ref count, -share.Count);
            share.Clear();
        }
        var hash = Hash(key);
        if (share.TryAdd(hash, boundary)) Interlocked.Increment(ref count);
        else share[hash] = boundary;
    }

    public void CountSeek()
    {
        Interlocked.Increment(ref seeks);
        XrefMetrics.PageCacheHit();
    }

    /// <summary>A remembered boundary was not used: a write to the listing committed since it was recorded.</summary>
    public static void CountStale() => XrefMetrics.PageCacheStale();

    /// <summary>Forgets every boundary (a sandbox reset restarts the listings' versions).</summary>
    public void Clear()
    {
        accounts.Clear();
        Volatile.Write(ref count, 0);
    }

    private static UInt128 Hash(string key)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), digest);
        return new UInt128(BitConverter.ToUInt64(digest), BitConverter.ToUInt64(digest[8..]));
    }
}
