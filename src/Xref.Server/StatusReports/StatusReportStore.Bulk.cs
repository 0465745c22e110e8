using System.Text.Json.Nodes;
using Xref.Accounts;
using Xref.Storage;

namespace Xref.StatusReports;

/// <summary>The export and restore of <c>status_reports</c> (<c>xref export</c>, <c>xref import</c>); their references are external_reference records.</summary>
public sealed partial class StatusReportStore
{
    public static readonly BulkTable BulkTable = new(TableName,
    [
        new("id", ColumnKind.Id), new("account_id", ColumnKind.Id), new("workspace_id", ColumnKind.Id),
        new("color", ColumnKind.Text, Allowed: StatusReportInput.Colors), new("description", ColumnKind.Text),
        new("details", ColumnKind.JsonArray, Check: CheckDetails), new("creator_id", ColumnKind.Id), new("updater_id", ColumnKind.Id),
        new("created_at", ColumnKind.Timestamp), new("updated_at", ColumnKind.Timestamp),
    ], AccountColumn: "account_id", OrderBy: "id", HasIdentity: true,
    [
        AccountStore.AccountExists,
        new("EXISTS (SELECT 1 FROM subjects WHERE account_id = @account_id AND type = 'Workspace' AND id = @workspace_id)",
            "workspace_id: Workspace {workspace_id} is not in account {account_id}."),
        new("EXISTS (SELECT 1 FROM users WHERE id = @creator_id AND account_id = @account_id)", "creator_id: user {creator_id} is not in account {account_id}."),
        new("EXISTS (SELECT 1 FROM users WHERE id = @updater_id AND account_id = @account_id)", "updater_id: user {updater_id} is not in account {account_id}."),
    ]);

    /// <summary>What <see cref="StatusReport.Reader"/> reads back: objects with a category, a color and an optional description.</summary>
    private static string? CheckDetails(string json) => JsonNode.Parse(json)!.AsArray().All(d => d is JsonObject detail
        && Text(detail["category"]) is not null && Text(detail["color"]) is { } color && StatusReportInput.Colors.Contains(color)
        && (detail["description"] is null || Text(detail["description"]) is not null))
        ? null : "details must be an array of {\"category\", \"color\", \"description\"} objects, color one of green, yellow, red.";

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
