using System.Runtime.CompilerServices;

namespace Xref.Client;

/// <summary>
/// Walks a listing page by page as Kantata's own Ruby client does (<c>each_page</c> of the mavenlink gem):
/// <c>page</c> 1, 2, 3… of <c>per_page</c> records (200, the most the API serves), until as many records have passed
/// as the latest page's <c>count</c> says, or a page is short or empty. The count is read again on every page, so
/// records added while walking extend the walk instead of being cut off.
/// </summary>
internal static class Paging
{
    public const int MaxPageSize = 200;

    public static async IAsyncEnumerable<Page<T>> PagesAsync<T>(Func<int, int, CancellationToken, Task<Page<T>>> fetch, int? perPage,
        [EnumeratorCancellation] CancellationToken ct) where T : KantataObject
    {
        var size = Math.Clamp(perPage ?? MaxPageSize, 1, MaxPageSize);
        long passed = 0;
        for (var number = 1; ; number++)
        {
            var page = await fetch(number, size, ct);
            if (page.Records.Count == 0) yield break;
            yield return page;
            passed += page.Records.Count;
            if (passed >= page.Count || page.Records.Count < size) yield break;
        }
    }

    /// <summary>A listing with <c>only</c>: the API serves it whole, in one page.</summary>
    public static async IAsyncEnumerable<Page<T>> One<T>(Task<Page<T>> page) where T : KantataObject
    {
        yield return await page;
    }

    /// <summary>
    /// The records of every page, each id once: a record that moved to a later page while walking (an offset listing
    /// shifts when a record is added before it) would otherwise come twice.
    /// </summary>
    public static async IAsyncEnumerable<T> RecordsAsync<T>(IAsyncEnumerable<Page<T>> pages, [EnumeratorCancellation] CancellationToken ct)
        where T : KantataObject
    {
        var seen = new HashSet<long>();
        await foreach (var page in pages.WithCancellation(ct))
            foreach (var record in page.Records)
                if (seen.Add(record.Id)) yield return record;
    }
}
