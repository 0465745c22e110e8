using System.Globalization;

namespace Xref.Wire;

/// <summary>
/// Paging as Brainstem does it (wire contract §3): <c>page</c>/<c>per_page</c> with clamping,
/// or <c>limit</c>+<c>offset</c> when both are given; never an error.
/// </summary>
public readonly record struct PageRequest(long PageNumber, int PageSize, long Offset, int Limit, bool IsOffsetMode = false)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 200;

    public static PageRequest Parse(QueryValues query)
    {
        var pageSize = ParseNumber(query["per_page"]) switch
        {
            null or <= 0 => DefaultPageSize,
            > MaxPageSize => MaxPageSize,
            var n => (int)n,
        };
        var page = ParseNumber(query["page"]) is { } p && p >= 1 ? p : 1;
        if (ParseNumber(query["limit"]) is { } limit && ParseNumber(query["offset"]) is { } offset)
            return new PageRequest(page, pageSize, Math.Max(0, offset), (int)Math.Clamp(limit, 1, MaxPageSize), IsOffsetMode: true);
        var skip = page - 1 > (long.MaxValue / pageSize) ? long.MaxValue : (page - 1) * pageSize;
        return new PageRequest(page, pageSize, skip, pageSize);
    }

    public PageMeta Meta(long count) => PageMeta.For(count, PageNumber, PageSize);

    /// <summary>An optionally signed integer; numbers beyond 64 bits saturate instead of failing.</summary>
    private static long? ParseNumber(string? raw)
    {
        if (raw is null) return null;
        raw = raw.Trim();
        var negative = raw.StartsWith('-');
        var digits = raw.TrimStart('+', '-');
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit)) return null;
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) value = long.MaxValue;
        return negative ? -value : value;
    }
}
