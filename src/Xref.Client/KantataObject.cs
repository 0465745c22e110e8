using System.Text.Json;
using System.Text.Json.Serialization;

namespace Xref.Client;

/// <summary>
/// A record of the Kantata OX API. Ids are strings on the wire (Brainstem's rule) and <see cref="long"/> here; fields a
/// type does not declare are kept in <see cref="Attributes"/>, so a field Kantata adds later is not lost.
/// </summary>
public abstract class KantataObject
{
    /// <summary>The record's id.</summary>
    public long Id { get; init; }

    /// <summary>Fields this type does not declare, as they came.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Attributes { get; set; }
}

/// <summary><c>{"key": "workspaces", "id": "100"}</c>: a record named by its collection key and id.</summary>
/// <param name="Key">The collection key, such as <c>workspaces</c>.</param>
/// <param name="Id">The record's id.</param>
public sealed record RecordRef(string Key, long Id);

/// <summary>The <c>meta</c> object of a listing.</summary>
/// <param name="Count">Records matching the whole query.</param>
/// <param name="PageCount">Pages of <see cref="PageSize"/> records.</param>
/// <param name="PageNumber">The page served (0 when nothing matched).</param>
/// <param name="PageSize">The page size in force.</param>
public sealed record PageMeta(long Count, long PageCount, long PageNumber, long PageSize);
