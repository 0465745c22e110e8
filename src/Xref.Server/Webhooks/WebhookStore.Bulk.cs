using Xref.Accounts;
using Xref.Storage;

namespace Xref.Webhooks;

/// <summary>The export and restore of <c>webhook_subscriptions</c> (<c>xref export --include-tokens</c>, <c>xref import</c>).</summary>
public sealed partial class WebhookStore
{
    /// <summary>
    /// The secret travels as stored (it is the HMAC key, not a hash), so the record is a credential. Deliveries are not
    /// exported: pending ones would be sent again by the restored database (docs/export.md).
    /// </summary>
    public static readonly BulkTable SubscriptionsTable = new("webhook_subscriptions",
    [
        new("id", ColumnKind.Id), new("account_id", ColumnKind.Id), new("url", ColumnKind.Text),
        new("on_failed", ColumnKind.Boolean), new("on_recovered", ColumnKind.Boolean), new("secret", ColumnKind.Text),
        new("created_at", ColumnKind.Timestamp),
    ], AccountColumn: "account_id", OrderBy: "id", HasIdentity: true, Parents: [AccountStore.AccountExists]);
}
