using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Xref.Wire;

/// <summary>
/// Reads the attributes of a wrapper object with Rails' casting rules (wire contract §1), the same for
/// JSON and form bodies, and collects every failure as a 422 entry named by its dotted path.
/// Attributes it is not asked for (unknown or read-only ones) are ignored, as strong parameters do.
/// </summary>
public sealed class FieldReader(JsonObject attributes, string pathPrefix = "")
{
    public List<ApiError> Errors { get; } = [];

    public string Path(string name) => pathPrefix + name;

    public void Fail(string name, string message) => Errors.Add(ApiError.Validation(Path(name), message));

    /// <summary>A string attribute; null and "" read as null. Numbers and booleans become their text.</summary>
    public Optional<string?> String(string name, int maxLength)
    {
        if (!attributes.TryGetPropertyValue(name, out var node)) return Optional<string?>.Absent;
        var text = node switch
        {
            null => null,
            JsonValue value => value.GetValueKind() switch
            {
                JsonValueKind.String => value.GetValue<string>(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.ToJsonString(),
                _ => null,
            },
            _ => null,
        };
        if (node is JsonObject or JsonArray)
        {
            Fail(name, $"{Path(name)} must be a string, not {Describe(node)}.");
            return Optional<string?>.Absent;
        }
        if (text is { Length: 0 }) text = null;
        // PostgreSQL text cannot hold NUL; refusing it on both databases keeps them identical.
        if (text is not null && text.Contains('\0'))
        {
            Fail(name, $"{Path(name)} must not contain NUL (\\u0000) characters.");
            return Optional<string?>.Absent;
        }
        // Length in characters (Unicode scalar values), as Rails and PostgreSQL count it, not UTF-16 units.
        if (text is not null && text.Length > maxLength && text.EnumerateRunes().Count() is var length && length > maxLength)
        {
            Fail(name, $"{Path(name)} is too long ({length} characters; the maximum is {maxLength}).");
            return Optional<string?>.Absent;
        }
        return Optional<string?>.Of(text);
    }

    /// <summary>A required string: absent, null, empty or whitespace is a 422.</summary>
    public string? RequiredString(string name, int maxLength)
    {
        var errorsBefore = Errors.Count;
        var field = String(name, maxLength);
        if (Errors.Count > errorsBefore) return null;
        if (string.IsNullOrWhiteSpace(field.Value))
        {
            Fail(name, $"{Path(name)} is required and can't be blank.");
            return null;
        }
        return field.Value;
    }

    /// <summary>An integer: a JSON integer or an all-digit string, within [min, max].</summary>
    public Optional<long?> Integer(string name, long min, long max)
    {
        if (!attributes.TryGetPropertyValue(name, out var node)) return Optional<long?>.Absent;
        if (node is null || node is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length == 0)
            return Optional<long?>.Of(null);
        long? parsed = node is JsonValue value ? value.GetValueKind() switch
        {
            JsonValueKind.Number when value.GetValue<JsonElement>().TryGetInt64(out var n) => n,
            JsonValueKind.String when value.GetValue<string>() is var s && s.All(char.IsAsciiDigit)
                && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
            _ => null,
        } : null;
        if (parsed is not { } number || number < min || number > max)
        {
            Fail(name, $"{Path(name)} must be an integer from {min} to {max} (a number or a string of digits), not {Describe(node)}.");
            return Optional<long?>.Absent;
        }
        return Optional<long?>.Of(number);
    }

    public long? RequiredInteger(string name, long min, long max)
    {
        var errorsBefore = Errors.Count;
        var field = Integer(name, min, max);
        if (Errors.Count == errorsBefore && field.Value is null)
            Fail(name, $"{Path(name)} is required.");
        return field.Value;
    }

    /// <summary>A boolean: true/false, or the strings true, false, 1, 0, t, f in any case (and JSON 1/0, as Rails casts them).</summary>
    public Optional<bool?> Boolean(string name)
    {
        if (!attributes.TryGetPropertyValue(name, out var node)) return Optional<bool?>.Absent;
        if (node is null) return Optional<bool?>.Of(null);
        if (node is JsonValue value)
        {
            var text = value.GetValueKind() switch
            {
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Number => value.ToJsonString(),
                JsonValueKind.String => value.GetValue<string>().ToLowerInvariant(),
                _ => null,
            };
            switch (text)
            {
                case "": return Optional<bool?>.Of(null);
                case "true" or "1" or "t": return Optional<bool?>.Of(true);
                case "false" or "0" or "f": return Optional<bool?>.Of(false);
            }
        }
        Fail(name, $"{Path(name)} must be true or false, not {Describe(node)}.");
        return Optional<bool?>.Absent;
    }

    /// <summary>An optional enumerated string; null and "" read as null.</summary>
    public Optional<string?> OneOf(string name, IReadOnlyList<string> allowed, bool required = false)
    {
        var errorsBefore = Errors.Count;
        var field = required ? Optional<string?>.Of(RequiredString(name, 255)) : String(name, 255);
        if (Errors.Count > errorsBefore || field.Value is null) return field;
        if (!allowed.Contains(field.Value))
        {
            Fail(name, $"{Path(name)} must be one of {string.Join(", ", allowed)}, not \"{field.Value}\".");
            return Optional<string?>.Absent;
        }
        return field;
    }

    /// <summary>A nested object or array for callers that read it themselves.</summary>
    public JsonNode? Node(string name, out bool present)
    {
        present = attributes.TryGetPropertyValue(name, out var node);
        return node;
    }

    public static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue value when value.GetValueKind() == JsonValueKind.String => $"\"{Truncate(value.GetValue<string>())}\"",
        _ => node.ToJsonString(),
    };

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
