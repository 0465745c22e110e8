using System.Text.Json;

namespace Xref.Wire;

/// <summary>
/// The Brainstem response envelope (wire contract §2), written straight to the response with
/// <see cref="Utf8JsonWriter"/>: <c>count</c>, <c>results</c>, the primary collection, <c>meta</c>, then includes.
/// </summary>
public sealed class Envelope(string primaryKey, IReadOnlyList<IWireRecord> records, PageMeta meta, IncludedCollections? included = null) : IResult
{
    public const string JsonContentType = "application/json; charset=utf-8";

    public async Task ExecuteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = JsonContentType;
        await using var json = new Utf8JsonWriter(response.BodyWriter);
        Write(json);
        await json.FlushAsync();
    }

    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteNumber("count", meta.Count);
        json.WriteStartArray("results");
        foreach (var record in records)
        {
            json.WriteStartObject();
            json.WriteString("key", primaryKey);
            json.WriteString("id", record.WireId);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        WriteCollection(json, primaryKey, records);
        json.WriteStartObject("meta");
        json.WriteNumber("count", meta.Count);
        json.WriteNumber("page_count", meta.PageCount);
        json.WriteNumber("page_number", meta.PageNumber);
        json.WriteNumber("page_size", meta.PageSize);
        json.WriteEndObject();
        if (included is not null)
            foreach (var (key, collection) in included.All)
                WriteCollection(json, key, collection.Values);
        json.WriteEndObject();
    }

    private static void WriteCollection(Utf8JsonWriter json, string key, IEnumerable<IWireRecord> records)
    {
        json.WriteStartObject(key);
        foreach (var record in records)
        {
            json.WritePropertyName(record.WireId);
            record.Write(json);
        }
        json.WriteEndObject();
    }
}
