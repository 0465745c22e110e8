using System.Data.Common;
using System.Text.Json;
using Xref.Wire;

namespace Xref.StatusReports;

/// <summary>One category line of a status report.</summary>
public sealed record StatusDetail(string Category, string Color, string? Description);

/// <summary>A status report as stored, and as wire contract §6 renders it.</summary>
public sealed record StatusReport(
    long Id, long AccountId, long WorkspaceId, string Color, string Description, IReadOnlyList<StatusDetail> Details,
    long CreatorId, long UpdaterId, long CreatedAt, long UpdatedAt) : IWireRecord
{
    public const string CollectionKey = "status_reports";

    public const string Columns = "id, account_id, workspace_id, color, description, details, creator_id, updater_id, created_at, updated_at";

    /// <summary>Set when <c>include=external_references</c> was asked.</summary>
    public IReadOnlyList<long>? ExternalReferenceIds { get; init; }

    public string WireId => WireValues.Id(Id);

    public static StatusReport Read(DbDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3), r.GetString(4), DetailsFromJson(r.GetString(5)),
        r.GetInt64(6), r.GetInt64(7), r.GetInt64(8), r.GetInt64(9));

    public static string DetailsToJson(IReadOnlyList<StatusDetail> details) =>
        JsonSerializer.Serialize(details.Select(d => new Dictionary<string, string?>
            { ["category"] = d.Category, ["color"] = d.Color, ["description"] = d.Description }));

    private static IReadOnlyList<StatusDetail> DetailsFromJson(string json) =>
        [.. JsonSerializer.Deserialize<List<Dictionary<string, string?>>>(json)!
            .Select(d => new StatusDetail(d["category"]!, d["color"]!, d.GetValueOrDefault("description")))];

    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("color", Color);
        json.WriteString("description", Description);
        json.WriteStartArray("details");
        foreach (var detail in Details)
        {
            json.WriteStartObject();
            json.WriteString("category", detail.Category);
            json.WriteString("color", detail.Color);
            json.WriteStringOrNull("description", detail.Description);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteTimestamp("created_at", CreatedAt);
        json.WriteTimestamp("updated_at", UpdatedAt);
        json.WriteId("workspace_id", WorkspaceId);
        json.WriteId("creator_id", CreatorId);
        json.WriteId("updater_id", UpdaterId);
        if (ExternalReferenceIds is { } ids)
        {
            json.WriteStartArray("external_reference_ids");
            foreach (var id in ids) json.WriteStringValue(WireValues.Id(id));
            json.WriteEndArray();
        }
        json.WriteString("id", WireId);
        json.WriteEndObject();
    }
}
