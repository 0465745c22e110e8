using System.Text.Json;
using Xref.Wire;

namespace Xref.Subjects;

/// <summary>
/// A seeded Kantata object of any generic type, rendered as wire contract §7 says: Workspace with its
/// fixed fields, every other type with <c>title</c> (or <c>name</c>), timestamps and its seeded attributes.
/// </summary>
public sealed record SubjectRecord(string Type, long Id, string Attributes, long CreatedAt, long UpdatedAt) : IWireRecord
{
    public string WireId => WireValues.Id(Id);

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

/// <summary>A user (wire contract §7), included as a subject or as a creator/updater.</summary>
public sealed record UserRecord(long Id, string? FullName, string? EmailAddress, string? Headline, string? PhotoPath) : IWireRecord
{
    public string WireId => WireValues.Id(Id);

    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteStringOrNull("full_name", FullName);
        json.WriteStringOrNull("email_address", EmailAddress);
        json.WriteStringOrNull("headline", Headline);
        json.WriteStringOrNull("photo_path", PhotoPath);
        json.WriteString("id", WireId);
        json.WriteEndObject();
    }
}
