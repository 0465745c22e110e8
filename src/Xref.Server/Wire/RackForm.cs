using System.Text;
using System.Text.Json.Nodes;

namespace Xref.Wire;

/// <summary>
/// Builds a JSON tree from Rails-style form fields, following Rack's nested-query rules
/// (<c>a[b]=1</c>, <c>a[][k]=1</c>, <c>a[0][k]=1</c>). Written here because no .NET library
/// implements Rack's rules; ASP.NET's form reader only gives flat key/value pairs.
/// </summary>
public static class RackForm
{
    /// <summary>Parses a raw <c>application/x-www-form-urlencoded</c> body. A bare key with no <c>=</c> means null.</summary>
    public static JsonObject ParseUrlEncoded(ReadOnlySpan<byte> body)
    {
        var pairs = new List<(string Key, string? Value)>();
        foreach (var part in Encoding.ASCII.GetString(body).Split('&'))
        {
            if (part.Length == 0) continue;
            var eq = part.IndexOf('=');
            pairs.Add(eq < 0 ? (Decode(part), null) : (Decode(part[..eq]), Decode(part[(eq + 1)..])));
        }
        return Build(pairs);
    }

    /// <summary>Builds the tree from already-decoded pairs (multipart bodies).</summary>
    public static JsonObject Build(IEnumerable<(string Key, string? Value)> pairs)
    {
        var root = new JsonObject();
        foreach (var (key, value) in pairs)
            Normalize(root, key, value, key);
        return (JsonObject)ConvertIndexedHashes(root)!;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>Percent-decodes with '+' as space, refusing invalid UTF-8 instead of replacing it.</summary>
    private static string Decode(string encoded)
    {
        var bytes = new List<byte>(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if (c == '+') bytes.Add((byte)' ');
            else if (c == '%' && i + 2 < encoded.Length && Uri.IsHexDigit(encoded[i + 1]) && Uri.IsHexDigit(encoded[i + 2]))
            {
                bytes.Add(Convert.ToByte(encoded.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (c == '%')
                throw ApiException.BadBody($"The form body has a malformed percent-escape near '{encoded[i..Math.Min(encoded.Length, i + 3)]}'; encode '%' as %25.");
            else bytes.Add((byte)c);
        }
        try { return StrictUtf8.GetString(bytes.ToArray()); }
        catch (DecoderFallbackException) { throw ApiException.BadBody("The form body is not valid UTF-8 after percent-decoding."); }
    }

    // Rack::QueryParser#normalize_params, transcribed: name is what is left of the key to place.
    private static void Normalize(JsonObject target, string name, string? value, string fullKey)
    {
        var i = 0;
        while (i < name.Length && name[i] is '[' or ']') i++;
        var keyStart = i;
        while (i < name.Length && name[i] is not ('[' or ']')) i++;
        if (i == keyStart) throw Malformed(fullKey);
        var key = name[keyStart..i];
        while (i < name.Length && name[i] == ']') i++;
        var rest = name[i..];

        if (rest.Length == 0)
        {
            if (target[key] is JsonObject or JsonArray) throw Malformed(fullKey);
            target[key] = value is null ? null : JsonValue.Create(value);
        }
        else if (rest == "[]")
        {
            var array = ArrayAt(target, key, fullKey);
            // Wire contract §1: "a[]=" alone is an empty array.
            if (!string.IsNullOrEmpty(value)) array.Add(JsonValue.Create(value));
        }
        else if (rest.StartsWith("[]", StringComparison.Ordinal))
        {
            // a[][k]=v: start a new element when the last one already has k.
            var childName = rest[2..];
            var array = ArrayAt(target, key, fullKey);
            if (array.Count > 0 && array[^1] is JsonObject last && !HasKeyPath(last, childName))
                Normalize(last, childName, value, fullKey);
            else
            {
                var element = new JsonObject();
                Normalize(element, childName, value, fullKey);
                array.Add(element);
            }
        }
        else if (rest[0] == '[')
        {
            if (!target.ContainsKey(key)) target[key] = new JsonObject();
            if (target[key] is not JsonObject child) throw Malformed(fullKey);
            Normalize(child, rest, value, fullKey);
        }
        else throw Malformed(fullKey);
    }

    private static bool HasKeyPath(JsonObject obj, string name)
    {
        JsonNode? node = obj;
        foreach (var segment in name.Split(['[', ']'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (node is not JsonObject current || !current.TryGetPropertyValue(segment, out node)) return false;
        }
        return true;
    }

    private static JsonArray ArrayAt(JsonObject target, string key, string fullKey)
    {
        if (!target.ContainsKey(key)) target[key] = new JsonArray();
        return target[key] as JsonArray ?? throw Malformed(fullKey);
    }

    private static ApiException Malformed(string key) => ApiException.BadBody(
        $"The form field name '{key}' is malformed or conflicts with another field; use Rails-style names such as external_reference[service_name] or status_report[details][][category].");

    /// <summary>Rails turns a hash whose keys are all numbers (<c>a[0][k]</c>) into an array in key order.</summary>
    private static JsonNode? ConvertIndexedHashes(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var entries = obj.ToList();
                obj.Clear();
                var converted = entries.Select(e => (e.Key, Value: ConvertIndexedHashes(e.Value))).ToList();
                if (converted.Count > 0 && converted.All(e => e.Key.Length is > 0 and < 10 && e.Key.All(char.IsAsciiDigit)))
                    return new JsonArray(converted.OrderBy(e => int.Parse(e.Key)).Select(e => e.Value).ToArray());
                foreach (var (key, value) in converted) obj[key] = value;
                return obj;
            case JsonArray array:
                var items = array.ToList();
                array.Clear();
                foreach (var item in items) array.Add(ConvertIndexedHashes(item));
                return array;
            default:
                return node;
        }
    }
}
