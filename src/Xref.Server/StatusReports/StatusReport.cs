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

    /// <summary>Reads rows of <see cref="Columns"/>, the columns resolved by name once per result.</summary>
    public static Func<DbDataReader, StatusReport> Reader(DbDataReader r)
    {
        int id = r.GetOrdinal("id"), account = r.GetOrdinal("account_id"), workspace = r.GetOrdinal("workspace_id"), color = r.GetOrdinal("color"),
            description = r.GetOrdinal("description"), details = r.GetOrdinal("details"), creator = r.GetOrdinal("creator_id"),
            updater = r.GetOrdinal("updater_id"), created = r.GetOrdinal("created_at"), updated = r.GetOrdinal("updated_at");
        return r => new(r.GetInt64(id), r.GetInt64(account), r.GetInt64(workspace), r.GetString(color), r.GetString(description),
            DetailsFromJson(r.GetString(details)), r.GetInt64(creator), r.GetInt64(updater), r.GetInt64(created), r.GetInt64(updated));
    }

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
