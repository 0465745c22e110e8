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
    /// <summary>Rack refuses keys nested deeper than this (Rack::QueryParser's param_depth_limit).</summary>
    public const int MaxDepth = 32;

    /// <summary>At most this many fields per body (Rack's params_limit).</summary>
    public const int MaxPairs = 4096;

    /// <summary>A field name longer than this is refused (Xref's own bound; Rails names are a few dozen characters).</summary>
    public const int MaxKeyLength = 1024;

    /// <summary>
    /// Parses a raw <c>application/x-www-form-urlencoded</c> body. A bare key with no <c>=</c> means null. Raw
    /// (unencoded) UTF-8 is read as UTF-8, as browsers and Rack do; invalid UTF-8 is a 400.
    /// </summary>
    public static JsonObject ParseUrlEncoded(ReadOnlySpan<byte> body)
    {
        var pairs = new List<(string Key, string? Value)>();
        while (!body.IsEmpty)
        {
            var amp = body.IndexOf((byte)'&');
            var part = amp < 0 ? body : body[..amp];
            body = amp < 0 ? [] : body[(amp + 1)..];
            if (part.IsEmpty) continue;
            if (pairs.Count == MaxPairs)
                throw ApiException.BadBody($"The form body has more than {MaxPairs} fields; send at most {MaxPairs}.");
            var eq = part.IndexOf((byte)'=');
            var key = Decode(eq < 0 ? part : part[..eq]);
            pairs.Add((key, eq < 0 ? null : Decode(part[(eq + 1)..])));
        }
        return Build(pairs);
    }

    /// <summary>Builds the tree from already-decoded pairs (multipart bodies), within Rack's limits.</summary>
    public static JsonObject Build(IEnumerable<(string Key, string? Value)> pairs)
    {
        var root = new JsonObject();
        var count = 0;
        foreach (var (key, value) in pairs)
        {
            if (++count > MaxPairs)
                throw ApiException.BadBody($"The form body has more than {MaxPairs} fields; send at most {MaxPairs}.");
            CheckKey(key);
            Normalize(root, key, value);
        }
        return (JsonObject)ConvertIndexedHashes(root)!;
    }

    private static void CheckKey(string key)
    {
        if (key.Count(c => c == '[') > MaxDepth)
            throw ApiException.BadBody($"A form field name is nested more than {MaxDepth} levels deep (Rack's limit); flatten it.");
        if (key.Length > MaxKeyLength)
            throw ApiException.BadBody($"A form field name is {key.Length} characters long; the limit is {MaxKeyLength}.");
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>Percent-decodes with '+' as space, refusing invalid UTF-8 instead of replacing it.</summary>
    private static string Decode(ReadOnlySpan<byte> encoded)
    {
        var bytes = new byte[encoded.Length];
        var n = 0;
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if (c == '+') bytes[n++] = (byte)' ';
            else if (c == '%' && i + 2 < encoded.Length && IsHex(encoded[i + 1]) && IsHex(encoded[i + 2]))
            {
                bytes[n++] = (byte)(HexValue(encoded[i + 1]) << 4 | HexValue(encoded[i + 2]));
                i += 2;
            }
            else if (c == '%')
                throw ApiException.BadBody($"The form body has a malformed percent-escape near '{Encoding.ASCII.GetString(encoded[i..Math.Min(encoded.Length, i + 3)])}'; encode '%' as %25.");
            else bytes[n++] = c;
        }
        try { return StrictUtf8.GetString(bytes, 0, n); }
        catch (DecoderFallbackException) { throw ApiException.BadBody("The form body is not valid UTF-8 after percent-decoding."); }
    }

    private static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    /// <summary>
    /// Places one value, as Rack::QueryParser#normalize_params does, one bracket level per turn of the loop instead
    /// of one recursive call (Rack recurses; a deep key would overflow .NET's stack, which no catch can stop).
    /// </summary>
    private static void Normalize(JsonObject root, string fullKey, string? value)
    {
        var target = root;
        var name = fullKey;
        while (true)
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
                return;
            }
            if (rest == "[]")
            {
                var array = ArrayAt(target, key, fullKey);
                // Wire contract §1: "a[]=" alone is an empty array.
                if (!string.IsNullOrEmpty(value)) array.Add(JsonValue.Create(value));
                return;
            }
            if (rest.StartsWith("[]", StringComparison.Ordinal))
            {
                // a[][k]=v: start a new element when the last one already has k.
                name = rest[2..];
                var array = ArrayAt(target, key, fullKey);
                if (array.Count > 0 && array[^1] is JsonObject last && !HasKeyPath(last, name)) target = last;
                else
                {
                    var element = new JsonObject();
                    array.Add(element);
                    target = element;
                }
                continue;
            }
            if (rest[0] != '[') throw Malformed(fullKey);
            if (!target.ContainsKey(key)) target[key] = new JsonObject();
            target = target[key] as JsonObject ?? throw Malformed(fullKey);
            name = rest;
        }
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

    /// <summary>Rails turns a hash whose keys are all numbers (<c>a[0][k]</c>) into an array in key order. Recursive: the tree is at most <see cref="MaxDepth"/> deep.</summary>
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
