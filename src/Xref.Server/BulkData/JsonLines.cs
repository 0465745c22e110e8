using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xref.Wire;

namespace Xref.BulkData;

/// <summary>Reading JSON Lines files: one object per line, blank lines skipped, each problem tied to its line number.</summary>
public static class JsonLines
{
    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    public static async IAsyncEnumerable<(long Line, JsonObject? Value, string? Error)> ReadAsync(TextReader reader, Action<long>? progress,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        long number = 0;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            number++;
            progress?.Invoke(line.Length + 1);
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonNode? node = null;
            string? error = null;
            try { node = JsonNode.Parse(line, documentOptions: Options); }
            catch (JsonException e) { error = $"not valid JSON: {e.Message}"; }
            if (error is null && node is not JsonObject) error = "each line must be a JSON object.";
            yield return (number, node as JsonObject, error);
        }
    }

    /// <summary>An optional positive integer attribute (an id); a problem is returned as text.</summary>
    public static long? Id(JsonObject obj, string name, out string? error)
    {
        error = null;
        if (obj[name] is not { } node) return null;
        if (node is JsonValue v && (v.TryGetValue<long>(out var n) && n > 0 || v.TryGetValue<string>(out var s) && RecordId.TryParse(s, out n)))
            return n;
        error = $"{name} must be a positive integer.";
        return null;
    }

    /// <summary>An optional ISO 8601 timestamp attribute as Unix seconds (fractions truncated, as Xref stores whole seconds).</summary>
    public static long? Timestamp(JsonObject obj, string name, out string? error)
    {
        error = null;
        if (obj[name] is not { } node) return null;
        if (node is JsonValue v && v.TryGetValue<string>(out var s)
            && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment))
            return moment.ToUnixTimeSeconds();
        error = $"{name} must be an ISO 8601 datetime such as {WireValues.Timestamp(0)}.";
        return null;
    }

    /// <summary>A string attribute, or null when it is absent, null or not a string.</summary>
    public static string? String(JsonObject obj, string name) => obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>Writes JSON Lines: each record built by a callback, then a newline; the stream is flushed by the caller.</summary>
public sealed class JsonLinesWriter(Stream output) : IAsyncDisposable
{
    private readonly Utf8JsonWriter json = new(output);

    public async Task WriteAsync(Action<Utf8JsonWriter> record, CancellationToken ct)
    {
        json.Reset(output);
        json.WriteStartObject();
        record(json);
        json.WriteEndObject();
        await json.FlushAsync(ct);
        output.WriteByte((byte)'\n');
    }

    public ValueTask DisposeAsync() => json.DisposeAsync();
}
