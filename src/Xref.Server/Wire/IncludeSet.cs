namespace Xref.Wire;

/// <summary><c>include=a,b</c>: exact, case-sensitive names; unknown names are ignored by the caller.</summary>
public sealed class IncludeSet(IEnumerable<string> names)
{
    private readonly HashSet<string> names = [.. names];

    public bool Contains(string name) => names.Contains(name);

    /// <summary>The query string wins over the body's <c>include</c>.</summary>
    public static IncludeSet Parse(string? fromQuery, string? fromBody = null) =>
        new((fromQuery ?? fromBody ?? "").Split(','));
}
