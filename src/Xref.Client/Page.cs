using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Xref.Client;

/// <summary>One page of a listing: the records in <c>results</c> order, the total count, <c>meta</c>, and the includes.</summary>
/// <typeparam name="T">The primary records' type.</typeparam>
public sealed class Page<T> where T : KantataObject
{
    internal Page(IReadOnlyList<T> records, long count, PageMeta? meta, Included included)
    {
        Records = records;
        Count = count;
        Meta = meta;
        Included = included;
    }

    /// <summary>This page's records, in the order of the envelope's <c>results</c>.</summary>
    public IReadOnlyList<T> Records { get; }

    /// <summary>Records matching the whole query, ignoring paging (<c>count</c>).</summary>
    public long Count { get; }

    /// <summary>The envelope's <c>meta</c> (page count, number and size), when it has one.</summary>
    public PageMeta? Meta { get; }

    /// <summary>The included records (<c>include=...</c>), typed by collection key.</summary>
    public Included Included { get; }
}

/// <summary>A single record (create, get, update) with what its <c>include</c> brought.</summary>
/// <typeparam name="T">The record's type.</typeparam>
/// <param name="Record">The record.</param>
/// <param name="Included">Its included records.</param>
public sealed record KantataResult<T>(T Record, Included Included) where T : KantataObject;

/// <summary>
/// Reads Brainstem's envelope (wire contract §2): <c>results</c> gives the order, each record is looked up by its
/// string id in the collection its key names, and every other object-valued top-level key is an included collection.
/// </summary>
internal static class Envelope
{
    private static readonly HashSet<string> Reserved = ["count", "results", "meta"];

    public static Page<T> Read<T>(JsonElement root, string primaryKey, JsonTypeInfo<T> type) where T : KantataObject
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
            throw new JsonException("The response is not a Kantata envelope: it has no \"results\" array.");
        var records = new List<T>(results.GetArrayLength());
        foreach (var entry in results.EnumerateArray())
        {
            var key = entry.GetProperty("key").GetString()!;
            var id = Id(entry.GetProperty("id"));
            if (!root.TryGetProperty(key, out var collection) || !collection.TryGetProperty(id, out var record))
                throw new JsonException($"results names {key} {id}, which the \"{key}\" collection does not hold.");
            records.Add(record.Deserialize(type) ?? throw new JsonException($"{key} {id} is null."));
        }
        var count = root.TryGetProperty("count", out var c) ? c.GetInt64() : records.Count;
        var meta = root.TryGetProperty("meta", out var m) && m.ValueKind == JsonValueKind.Object ? m.Deserialize(KantataJson.Default.PageMeta) : null;
        var included = new Dictionary<string, Dictionary<long, KantataObject>>();
        foreach (var property in root.EnumerateObject())
        {
            if (Reserved.Contains(property.Name) || property.Name == primaryKey || property.Value.ValueKind != JsonValueKind.Object) continue;
            var items = new Dictionary<long, KantataObject>();
            foreach (var item in property.Value.EnumerateObject())
                items[long.Parse(item.Name, System.Globalization.CultureInfo.InvariantCulture)] = CollectionReaders.ReadRecord(property.Name, item.Value);
            included[property.Name] = items;
        }
        return new Page<T>(records, count, meta, new Included(included));
    }

    private static string Id(JsonElement id) => id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText();
}
