using System.Text.Json.Nodes;
using Xref.Accounts;
using Xref.Storage;

namespace Xref.OAuth;

/// <summary>
/// The export and restore of <c>oauth_applications</c> (<c>xref export --include-tokens</c>, <c>xref import</c>), the
/// secret as its hash. Authorization codes are not exported: each is valid 5 minutes, so a restored database asks
/// an integration in the middle of an authorization to start it again, and nothing else is lost.
/// </summary>
public sealed partial class ApplicationStore
{
    public static readonly BulkTable BulkTable = new("oauth_applications",
    [
        new("id", ColumnKind.Id), new("account_id", ColumnKind.Id), new("name", ColumnKind.Text), new("client_id", ColumnKind.Text),
        new("client_secret_hash", ColumnKind.Text), new("redirect_uris", ColumnKind.JsonArray,
            Check: json => JsonNode.Parse(json)!.AsArray().All(u => u is JsonValue v && v.TryGetValue<string>(out _)) ? null : "redirect_uris must be an array of strings."), new("created_at", ColumnKind.Timestamp),
    ], AccountColumn: "account_id", OrderBy: "id", HasIdentity: true, Parents: [AccountStore.AccountExists]);
}
