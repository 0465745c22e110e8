using System.Text.Json;

namespace Xref.Wire;

/// <summary>
/// The Brainstem response envelope (wire contract §2), written straight to the response with
/// <see cref="Utf8JsonWriter"/>: <c>count</c>, <c>results</c>, the primary collection, <c>meta</c>, then includes.
/// </summary>
public sealed class Envelope(string primaryKey, IReadOnlyList<IWireRecord> records, PageMeta meta, IncludedCollections? included = null) : IResult
{
    public const string JsonContentType = "application/json; charset=utf-8";

    /// <summary>
    /// Written to the client as it is built: once a record leaves more than this many bytes pending, they are
    /// flushed, and the flush waits while the client is not reading (Kestrel's response buffer is 64 KiB). A page of
    /// 200 maximal references (157 MB of JSON) so needs about one record of memory, not the whole body.
    /// </summary>
    private const int FlushAfterBytes = 32 * 1024;

    public async Task ExecuteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = JsonContentType;
        var ct = context.RequestAborted;
        await using var json = new Utf8JsonWriter(response.BodyWriter);
        async ValueTask FlushIfFullAsync()
        {
            if (json.BytesPending < FlushAfterBytes) return;
            json.Flush();
            await response.BodyWriter.FlushAsync(ct);
        }

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
        await WriteCollectionAsync(json, primaryKey, records, FlushIfFullAsync);
        json.WriteStartObject("meta");
        json.WriteNumber("count", meta.Count);
        json.WriteNumber("page_count", meta.PageCount);
        json.WriteNumber("page_number", meta.PageNumber);
        json.WriteNumber("page_size", meta.PageSize);
        json.WriteEndObject();
        if (included is not null)
            foreach (var (key, collection) in included.All)
                await WriteCollectionAsync(json, key, collection.Values, FlushIfFullAsync);
        json.WriteEndObject();
        await json.FlushAsync(ct);
    }

    private static async ValueTask WriteCollectionAsync(Utf8JsonWriter json, string key, IEnumerable<IWireRecord> records, Func<ValueTask> flushIfFull)
    {
        json.WriteStartObject(key);
        foreach (var record in records)
        {
            json.WritePropertyName(record.WireId);
            record.Write(json);
            await flushIfFull();
        }
        json.WriteEndObject();
    }
}
