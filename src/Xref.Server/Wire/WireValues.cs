using System.Globalization;
using System.Text.Json;

namespace Xref.Wire;

/// <summary>How values look on the wire: ids as strings, timestamps as whole-second UTC ISO 8601.</summary>
public static class WireValues
{
    public static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>Xref stores timestamps as Unix seconds, so every value is already whole seconds.</summary>
    public static string Timestamp(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static void WriteTimestamp(this Utf8JsonWriter json, string name, long? unixSeconds)
    {
        if (unixSeconds is { } value) json.WriteString(name, Timestamp(value));
        else json.WriteNull(name);
    }

    public static void WriteId(this Utf8JsonWriter json, string name, long? id)
    {
        if (id is { } value) json.WriteString(name, Id(value));
        else json.WriteNull(name);
    }

    public static void WriteStringOrNull(this Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, value);
    }

    /// <summary>Now, truncated to the second, as Unix seconds (wire contract §2: timestamps are whole seconds).</summary>
    public static long Now(TimeProvider clock) => clock.GetUtcNow().ToUnixTimeSeconds();
}
