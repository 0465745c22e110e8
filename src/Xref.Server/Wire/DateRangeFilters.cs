namespace Xref.Wire;

/// <summary>
/// The <c>{name}_after</c> / <c>{name}_before</c> filter pairs on <c>{name}_at</c> columns, exclusive bounds
/// (contract §5), parsed the same way on every endpoint.
/// </summary>
public static class DateRangeFilters
{
    public static IReadOnlyList<(string Column, string Op, long Bound)> Parse(QueryValues query, params string[] names)
    {
        var bounds = new List<(string, string, long)>();
        foreach (var name in names)
        {
            if (query.Timestamp($"{name}_after", isUpperBound: false) is { } after) bounds.Add(($"{name}_at", ">", after));
            if (query.Timestamp($"{name}_before", isUpperBound: true) is { } before) bounds.Add(($"{name}_at", "<", before));
        }
        return bounds;
    }
}
