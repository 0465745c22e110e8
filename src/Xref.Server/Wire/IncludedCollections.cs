namespace Xref.Wire;

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
