namespace Xref.Wire;

/// <summary><c>only=5,6,7</c>: tokens that are ids (<see cref="RecordId"/>), duplicates removed. Null when the parameter is absent.</summary>
public static class OnlyIds
{
    /// <summary>
    /// At most this many ids per request (the contract asks for at least 200): <c>only</c> turns paging off, so the
    /// cap bounds the rows, and the memory, of one response.
    /// </summary>
    public const int Max = 1000;

    public static long[]? Parse(string? raw)
    {
        var ids = raw?.Split(',')
            .Select(token => RecordId.TryParse(token, out var id) ? id : 0)
            .Where(id => id > 0)
            .Distinct()
            .ToArray();
        if (ids is { Length: > Max })
            throw ApiException.BadParameter("only", $"only lists {ids.Length} ids; at most {Max} are allowed per request. Split the list.");
        return ids;
    }
}
