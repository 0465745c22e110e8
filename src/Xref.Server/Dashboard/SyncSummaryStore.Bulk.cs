using Xref.Accounts;
using Xref.Storage;

namespace Xref.Dashboard;

/// <summary>The export and restore of <c>reference_sync_hours</c> (<c>xref export</c>, <c>xref import</c>).</summary>
public sealed partial class SyncSummaryStore
{
    /// <summary>
    /// History (how many syncs and failures each hour saw), which the references cannot give back: exported as stored,
    /// stripes and all. An import's own reference writes add nothing to it (migration 011), so a restore is exact.
    /// </summary>
    public static readonly BulkTable SyncHoursTable = new("reference_sync_hours",
    [
        new("account_id", ColumnKind.Id), new("hour", ColumnKind.Integer), new("subject_type", ColumnKind.Text),
        new("service_name", ColumnKind.Text), new("stripe", ColumnKind.Integer), new("syncs", ColumnKind.Integer),
        new("failures", ColumnKind.Integer),
    ], AccountColumn: "account_id", OrderBy: "account_id, hour, subject_type, service_name, stripe", HasIdentity: false,
    Parents: [AccountStore.AccountExists]);
}
