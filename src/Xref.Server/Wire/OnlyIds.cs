namespace Xref.Wire;

/// <summary><c>only=5,6,7</c>: tokens that are ids (<see cref="RecordId"/>), duplicates removed. Null when the parameter is absent.</summary>
public static class OnlyIds
{
    public static long[]? Parse(string? raw) => raw?.Split(',')
        .Select(token => RecordId.TryParse(token, out var id) ? id : 0)
        .Where(id => id > 0)
        .Distinct()
        .ToArray();
}
