namespace Xref.Wire;

/// <summary>A field that may be absent from the request; when present its value may be null.</summary>
public readonly record struct Optional<T>(bool IsPresent, T Value)
{
    public static readonly Optional<T> Absent = default;
    public static Optional<T> Of(T value) => new(true, value);
}
