using System.Data.Common;
using System.Text.Json;
using Xref.Wire;

namespace Xref.Subjects;

/// <summary>
/// A seeded Kantata object of any generic type, rendered as wire contract §7 says: Workspace with its
/// fixed fields, every other type with <c>title</c> (or <c>name</c>), timestamps and its seeded attributes.
/// </summary>
public sealed record SubjectRecord(string Type, long Id, string Attributes, long CreatedAt, long UpdatedAt) : IWireRecord
{
    public const string Columns = "type, id, attributes, created_at, updated_at";

    public string WireId => WireValues.Id(Id);

    /// <summary>Reads rows of <see cref="Columns"/>, the columns resolved by name once per result.</summary>
    public static Func<DbDataReader, SubjectRecord> Reader(DbDataReader r)
    {
        int type = r.GetOrdinal("type"), id = r.GetOrdinal("id"), attributes = r.GetOrdinal("attributes"),
            created = r.GetOrdinal("created_at"), updated = r.GetOrdinal("updated_at");
        return r => new(r.GetString(type), r.GetInt64(id), r.GetString(attributes), r.GetInt64(created), r.GetInt64(updated));
    }

    private static readonly string[] WorkspaceFields = ["title", "description", "archived", "creator_id"];

    public void Write(Utf8JsonWriter json)
    {
        using var doc = JsonDocument.Parse(Attributes);
        var attributes = doc.RootElement;
        json.WriteStartObject();
        if (Type == "Workspace")
        {
            WriteAttribute(json, attributes, "title");
            WriteAttribute(json, attributes, "description");
            if (attributes.TryGetProperty("archived", out var archived)) WriteValue(json, "archived", archived);
            else json.WriteBoolean("archived", false);
            json.WriteTimestamp("created_at", CreatedAt);
            json.WriteTimestamp("updated_at", UpdatedAt);
            WriteOthers(json, attributes, WorkspaceFields);
            WriteAttribute(json, attributes, "creator_id");
        }
        else
        {
            if (!attributes.TryGetProperty("title", out _) && !attributes.TryGetProperty("name", out _))
                json.WriteNull("title");
            WriteOthers(json, attributes, []);
            json.WriteTimestamp("created_at", CreatedAt);
            json.WriteTimestamp("updated_at", UpdatedAt);
        }
        json.WriteString("id", WireId);
        json.WriteEndObject();
    }

    private static void WriteAttribute(Utf8JsonWriter json, JsonElement attributes, string name)
    {
        if (attributes.TryGetProperty(name, out var value)) WriteValue(json, name, value);
        else json.WriteNull(name);
    }

    private static void WriteOthers(Utf8JsonWriter json, JsonElement attributes, string[] skip)
    {
        foreach (var property in attributes.EnumerateObject())
            if (!skip.Contains(property.Name) && property.Name is not ("id" or "created_at" or "updated_at"))
                WriteValue(json, property.Name, property.Value);
    }

    /// <summary>Every <c>*_id</c> is a string on the wire (contract §2), even when seeded as a number.</summary>
    private static void WriteValue(Utf8JsonWriter json, string name, JsonElement value)
    {
        if (name.EndsWith("_id", StringComparison.Ordinal) && value.ValueKind == JsonValueKind.Number)
            json.WriteString(name, value.GetRawText());
        else
        {
            json.WritePropertyName(name);
            value.WriteTo(json);
        }
    }
}
