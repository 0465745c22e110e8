namespace Xref.Wire;

/// <summary>One entry of the wire contract's error body: <c>{"type", "message", "field"?}</c>.</summary>
public sealed record ApiError(string Type, string Message, string? Field = null)
{
    public static ApiError Validation(string field, string message) => new("validation", message, field);
    public static ApiError System(string message) => new("system", message);
}
