namespace Xref.Wire;

/// <summary><c>order=field:direction</c>: an unknown field gives the default; only lowercase <c>desc</c> descends.</summary>
public readonly record struct OrderRequest(string Field, bool Descending)
{
    public static OrderRequest Parse(string? raw, IReadOnlyCollection<string> fields, OrderRequest fallback)
    {
        if (raw is null) return fallback;
        var colon = raw.IndexOf(':');
        var field = colon < 0 ? raw : raw[..colon];
        if (!fields.Contains(field)) return fallback;
        return new OrderRequest(field, colon >= 0 && raw[(colon + 1)..] == "desc");
    }
}
