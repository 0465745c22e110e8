using System.Text.Json;

namespace Xref.Wire;

/// <summary>A record that can appear in a Brainstem collection: it knows its id and writes its own fields.</summary>
public interface IWireRecord
{
    /// <summary>The id as the wire shows it (always a string).</summary>
    string WireId { get; }

    /// <summary>Writes the JSON object for this record, fields first and <c>id</c> last.</summary>
    void Write(Utf8JsonWriter json);
}

/// <summary>The <c>meta</c> block and <c>count</c> of a Brainstem response.</summary>
public readonly record struct PageMeta(long Count, long PageCount, long PageNumber, int PageSize)
{
    /// <summary>Create and update responses: exactly one record.</summary>
    public static readonly PageMeta Single = new(1, 1, 1, PageRequest.DefaultPageSize);

    public static PageMeta For(long count, long pageNumber, int pageSize) => count == 0
        ? new PageMeta(0, 0, 0, pageSize)
        : new PageMeta(count, (count + pageSize - 1) / pageSize, pageNumber, pageSize);
}

/// <summary>
/// Collections of included records, keyed by their collection name, in the order they were first requested.
/// A collection named with <see cref="Require"/> is written even when empty, as the contract asks
/// for non-polymorphic includes.
/// </summary>
public sealed class IncludedCollections
{
    private readonly List<(string Key, Dictionary<string, IWireRecord> Records)> collections = [];

    public void Require(string key) => Get(key);

    public void Add(string key, IWireRecord record) => Get(key).TryAdd(record.WireId, record);

    private Dictionary<string, IWireRecord> Get(string key)
    {
        foreach (var (k, records) in collections)
            if (k == key) return records;
        var created = new Dictionary<string, IWireRecord>();
        collections.Add((key, created));
        return created;
    }

    internal IEnumerable<(string Key, Dictionary<string, IWireRecord> Records)> All => collections;
}

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
