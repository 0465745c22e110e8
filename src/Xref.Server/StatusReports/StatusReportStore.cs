using System.Data.Common;
using Xref.Auth;
using Xref.ExternalReferences;
using Xref.Storage;
using Xref.Subjects;
using Xref.Wire;

namespace Xref.StatusReports;

/// <summary>All SQL on <c>status_reports</c>; a report and its nested reference are always written in one transaction.</summary>
public sealed partial class StatusReportStore(Database database, ExternalReferenceStore references, SubjectStore subjects, TimeProvider clock) : ISubjectSource
{
    private const string TableName = "status_reports";
    private static readonly SubjectType Workspace = SubjectTypes.Find("Workspace")!;
    public static readonly SubjectType ReportType = SubjectTypes.Find("StatusReport")!;

    /// <summary>Creates the report and its nested reference; returns both (the reference null when none was sent).</summary>
    public Task<(StatusReport Report, ExternalReference? Reference)> CreateAsync(Caller caller, StatusReportInput input, CancellationToken ct) =>
        database.WriteAsync(async (c, tx) =>
        {
            if (input.WorkspaceId is { } workspaceId && !await subjects.ExistsAsync(c, tx, caller.AccountId, Workspace, workspaceId, ct))
                input.Errors.Add(ApiError.Validation("workspace_id", $"Workspace {workspaceId} does not exist in your account."));
            if (input.Errors.Count > 0) throw ApiException.Invalid(input.Errors);

            var now = WireValues.Now(clock);
            var report = await ReadOneAsync(c, tx, $"""
                INSERT INTO status_reports (account_id, workspace_id, color, description, details, creator_id, updater_id, created_at, updated_at)
                VALUES (@account, @workspace, @color, @description, @details, @user, @user, @now, @now)
                RETURNING {StatusReport.Columns}
                """, new SqlParameters().Add("account", caller.AccountId).Add("workspace", input.WorkspaceId).Add("color", input.Color)
                    .Add("description", input.Description).Add("details", StatusReport.DetailsToJson(input.Details ?? []))
                    .Add("user", caller.UserId).Add("now", now), ct);
            return (report!, await UpsertReferenceAsync(c, tx, caller, report!, input, ct));
        }, ct);

    /// <summary>Updates the fields given, and the nested reference; null when the report is not in the caller's account (404 comes first).</summary>
    public Task<(StatusReport Report, ExternalReference? Reference)?> UpdateAsync(Caller caller, long id, StatusReportInput input, CancellationToken ct) =>
        database.WriteAsync<(StatusReport, ExternalReference?)?>(async (c, tx) =>
        {
            if (await FindAsync(c, tx, caller.AccountId, id, ct) is null) return null;
            if (input.Errors.Count > 0) throw ApiException.Invalid(input.Errors);
            var report = await ReadOneAsync(c, tx, $"""
                UPDATE status_reports SET
                    color = COALESCE(@color, color),
                    description = COALESCE(@description, description),
                    details = COALESCE(@details, details),
                    updater_id = @user,
                    updated_at = @now
                WHERE id = @id AND account_id = @account
                RETURNING {StatusReport.Columns}
                """, new SqlParameters().Add("id", id).Add("account", caller.AccountId).Add("color", input.Color)
                    .Add("description", input.Description)
                    .Add("details", input.Details is null ? null : StatusReport.DetailsToJson(input.Details))
                    .Add("user", caller.UserId).Add("now", WireValues.Now(clock)), ct);
            return (report!, await UpsertReferenceAsync(c, tx, caller, report!, input, ct));
        }, ct);

    /// <summary>Deletes the report and its external references together; false when it is not the caller's.</summary>
    public Task<bool> DeleteAsync(long accountId, long id, CancellationToken ct) =>
        database.WriteAsync(async (c, tx) =>
        {
            await references.DeleteOfSubjectAsync(c, tx, accountId, ReportType, id, ct);
            var deleted = false;
            await database.RunAsync(c, tx, Statement.FirstRow("DELETE FROM status_reports WHERE id = @id AND account_id = @account RETURNING id",
                new SqlParameters().Add("id", id).Add("account", accountId), _ => deleted = true), ct);
            return deleted;
        }, ct);

    public Task<StatusReport?> GetAsync(long accountId, long id, CancellationToken ct) =>
        database.ReadAsync(c => FindAsync(c, null, accountId, id, ct), ct);

    /// <summary>The page the query asks for and the exact count of all that match, in one round trip where the database has them.</summary>
    public async Task<(long Count, List<StatusReport> Page)> ListAsync(long accountId, StatusReportQuery query, CancellationToken ct)
    {
        var where = query.Where(database, accountId);
        if (where.MatchesNothing) return (0, []);
        long count = 0;
        var rows = new List<StatusReport>();
        var order = $"ORDER BY {query.Order.Field} {(query.Order.Descending ? "DESC" : "ASC")}, id ASC";
        // The page size (a validated 1-200) is written into the SQL, as in ExternalReferenceStore.PageStatement.
        var limit = query.Only is null ? $" LIMIT {query.Page.Limit} OFFSET @page_offset" : "";
        var page = new SqlParameters();
        where.Parameters.AppendTo(page);
        page.Add("page_offset", query.Page.Offset);
        await database.ReadAsync(c => database.RunAsync(c, null,
        [
            Statement.FirstRow($"SELECT COUNT(*) AS count FROM {TableName} WHERE {where}", where.Parameters, r => count = r.Int64("count")),
            Statement.Rows($"SELECT {StatusReport.Columns} FROM {TableName} WHERE {where} {order}{limit}", page, StatusReport.Reader, rows),
        ], ct), ct);
        return (count, rows);
    }

    public SubjectTable Table => SubjectTable.StatusReports;

    /// <summary>Reports by id in an account, for <c>include=subject</c> on external references.</summary>
    public async Task<IReadOnlyList<IWireRecord>> FindAsync(long accountId, SubjectType type, IReadOnlyCollection<long> ids, CancellationToken ct) =>
        await database.FindByIdsAsync(TableName, StatusReport.Columns, accountId, ids, StatusReport.Reader, ct);

    private Task<StatusReport?> FindAsync(DbConnection c, DbTransaction? tx, long accountId, long id, CancellationToken ct) =>
        ReadOneAsync(c, tx, $"SELECT {StatusReport.Columns} FROM {TableName} WHERE id = @id AND account_id = @account",
            new SqlParameters().Add("id", id).Add("account", accountId), ct);

    /// <summary>The one report a statement returns (a SELECT by id, or an INSERT/UPDATE ... RETURNING), or null.</summary>
    private async Task<StatusReport?> ReadOneAsync(DbConnection c, DbTransaction? tx, string sql, SqlParameters parameters, CancellationToken ct) =>
        (await database.QueryAsync(c, tx, sql, parameters, StatusReport.Reader, ct)).FirstOrDefault();

    /// <summary>The nested reference is upserted on (this report, service_name), exactly as create_or_update does.</summary>
    private async Task<ExternalReference?> UpsertReferenceAsync(DbConnection c, DbTransaction tx, Caller caller, StatusReport report, StatusReportInput input, CancellationToken ct)
    {
        if (input.Reference is null) return null;
        return await references.UpsertAsync(c, tx, caller.AccountId, input.Reference with { SubjectId = report.Id }, ct)
            ?? throw new InvalidOperationException($"Status report {report.Id} vanished inside its own transaction.");
    }
}
