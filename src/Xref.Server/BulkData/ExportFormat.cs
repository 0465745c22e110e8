using Xref.Accounts;
using Xref.Dashboard;
using Xref.OAuth;
using Xref.StatusReports;
using Xref.Subjects;
using Xref.Webhooks;

namespace Xref.BulkData;

/// <summary>
/// The export file (docs/export.md): JSON Lines, one record per line with its <c>type</c>. First a header,
/// <c>{"type": "export", "version": 2, "last_ids": {...}}</c> (the largest id each id generator has handed out, so a
/// restore never hands out an id again), then the records of <see cref="Records"/> in that order, each table in its
/// key order, then the external references: a streaming import never meets a record before the ones it needs.
/// A line without <c>type</c> is an external reference, as every line of version 1 (references only) was.
/// A new table is exported by declaring its <see cref="Storage.BulkTable"/> in its store and adding it here.
/// </summary>
public static class ExportFormat
{
    public const int Version = 2;
    public const string HeaderType = "export";
    public const string ReferenceType = "external_reference";

    /// <summary>Every record type but references, parents before children.</summary>
    public static readonly IReadOnlyList<RecordType> Records =
    [
        new("account", "accounts", AccountStore.AccountsTable),
        new("user", "users", AccountStore.UsersTable),
        new("application", "applications", ApplicationStore.BulkTable, Credential: true),
        new("api_token", "api tokens", AccountStore.TokensTable, Credential: true),
        new("subject", "subjects", SubjectStore.BulkTable),
        new("status_report", "status reports", StatusReportStore.BulkTable),
        // A subscription without its signing secret could not sign a delivery: the whole subscription is a credential.
        new("webhook_subscription", "webhook subscriptions", WebhookStore.SubscriptionsTable, Credential: true),
        new("reference_sync_hour", "reference sync hours", SyncSummaryStore.SyncHoursTable),
    ];

    /// <summary>The tables whose id generator the header records.</summary>
    public static IReadOnlyList<string> IdentityTables =>
        [.. Records.Where(r => r.Table.HasIdentity).Select(r => r.Table.Table).Append("external_references").Order(StringComparer.Ordinal)];

    public static RecordType? Find(string name) => Records.FirstOrDefault(r => r.Name == name);

    public static string TypeList => string.Join(", ", Records.Select(r => r.Name).Append(ReferenceType));
}
