using Xref.Accounts;
using Xref.Storage;

namespace Xref.Subjects;

/// <summary>The export and restore of <c>subjects</c> (<c>xref export</c>, <c>xref import</c>).</summary>
public sealed partial class SubjectStore
{
    /// <summary>The file calls the column <c>subject_type</c>: a record's <c>type</c> names the kind of record.</summary>
    public static readonly BulkTable BulkTable = new("subjects",
    [
        new("account_id", ColumnKind.Id),
        new("type", ColumnKind.Text, Allowed: [.. SubjectTypes.All.Where(t => t.Table == SubjectTable.Subjects).Select(t => t.Name)], JsonName: "subject_type"),
        new("id", ColumnKind.Id), new("attributes", ColumnKind.JsonObject),
        new("created_at", ColumnKind.Timestamp), new("updated_at", ColumnKind.Timestamp),
    ], AccountColumn: "account_id", OrderBy: "account_id, type, id", HasIdentity: false, Parents: [AccountStore.AccountExists]);
}
