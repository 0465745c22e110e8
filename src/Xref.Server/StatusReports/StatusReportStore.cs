using System.Data.Common;
using Dapper;
using Xref.Auth;
using Xref.ExternalReferences;
using Xref.Storage;
using Xref.Wire;

namespace Xref.StatusReports;

/// <summary>All SQL on <c>status_reports</c>; a report and its nested reference are always written in one transaction.</summary>
public sealed class StatusReportStore(Database database, ExternalReferenceStore references, TimeProvider clock)
{
    private const string WorkspaceExists =
        "SELECT COUNT(*) FROM subjects WHERE type = 'Workspace' AND id = @workspaceId AND account_id = @accountId";

    public Task<StatusReport> CreateAsync(Caller caller, StatusReportInput input, CancellationToken ct) =>
        database.WriteAsync(async (c, tx) =>
        {
            if (input.WorkspaceId is { } workspaceId
                && await c.ExecuteScalarAsync<long>(WorkspaceExists, new { workspaceId, accountId = caller.AccountId }, tx) == 0)
                input.Errors.Add(ApiError.Validation("workspace_id", $"Workspace {workspaceId} does not exist in your account."));
            if (input.Errors.Count > 0) throw ApiException.Invalid(input.Errors);

            var now = WireValues.Now(clock);
            var report = await ReadOneAsync(c, tx, $"""
                INSERT INTO status_reports (account_id, workspace_id, color, description, details, creator_id, updater_id, created_at, updated_at)
                VALUES (@accountId, @workspaceId, @color, @description, @details, @userId, @userId, @now, @now)
                RETURNING {StatusReport.Columns}
                """, new
                {
                    accountId = caller.AccountId, workspaceId = input.WorkspaceId, color = input.Color, description = input.Description,
                    details = StatusReport.DetailsToJson(input.Details ?? []), userId = caller.UserId, now,
                });
            await UpsertReferenceAsync(c, tx, caller, report!, input);
            return report!;
        }, ct);

    /// <summary>Updates the fields given; null when the report is not in the caller's account (404 comes first).</summary>
    public Task<StatusReport?> UpdateAsync(Caller caller, long id, StatusReportInput input, CancellationToken ct) =>
        database.WriteAsync(async (c, tx) =>
        {
            if (await FindAsync(c, tx, caller.AccountId, id) is null) return null;
            if (input.Errors.Count > 0) throw ApiException.Invalid(input.Errors);
            var report = await ReadOneAsync(c, tx, $"""
                UPDATE status_reports SET
                    color = COALESCE(@color, color),
                    description = COALESCE(@description, description),
                    details = COALESCE(@details, details),
                    updater_id = @userId,
                    updated_at = @now
                WHERE id = @id AND account_id = @accountId
                RETURNING {StatusReport.Columns}
                """, new
                {
                    id, accountId = caller.AccountId, color = input.Color, description = input.Description,
                    details = input.Details is null ? null : StatusReport.DetailsToJson(input.Details),
                    userId = caller.UserId, now = WireValues.Now(clock),
                });
            await UpsertReferenceAsync(c, tx, caller, report!, input);
            return report!;
        }, ct);

    /// <summary>Deletes the report and its external references together; false when it is not the caller's.</summary>
    public Task<bool> DeleteAsync(long accountId, long id, CancellationToken ct) =>
        database.WriteAsync(async (c, tx) =>
        {
            var parameters = new { id, accountId };
            await c.ExecuteAsync(
                "DELETE FROM external_references WHERE account_id = @accountId AND subject_type = 'StatusReport' AND subject_id = @id",
                parameters, tx);
            return await c.ExecuteAsync("DELETE FROM status_reports WHERE id = @id AND account_id = @accountId", parameters, tx) > 0;
        }, ct);

    public Task<StatusReport?> GetAsync(long accountId, long id, CancellationToken ct) =>
        database.ReadAsync(c => FindAsync(c, null, accountId, id), ct);

    public Task<(long Count, List<StatusReport> Page)> ListAsync(long accountId, StatusReportQuery query, CancellationToken ct)
    {
        var where = query.Where(database.Dialect, accountId);
        return database.ReadAsync(c => PagedSelect.RunAsync(c, "status_reports", StatusReport.Columns, where,
            query.Order, query.Page, paged: query.Only is null, StatusReport.Read, ct), ct);
    }

    /// <summary>Reports by id in an account, for <c>include=subject</c> on external references.</summary>
    public static async Task<IReadOnlyList<StatusReport>> FindManyAsync(DbConnection c, SqlDialect dialect, long accountId, IReadOnlyCollection<long> ids)
    {
        var where = new WhereClause(dialect, "account_id", accountId).InIds("id", ids);
        await using var reader = await c.ExecuteReaderAsync(
            $"SELECT {StatusReport.Columns} FROM status_reports WHERE {where} ORDER BY id", where.Parameters);
        var reports = new List<StatusReport>();
        while (await reader.ReadAsync()) reports.Add(StatusReport.Read(reader));
        return reports;
    }

    private static Task<StatusReport?> FindAsync(DbConnection c, DbTransaction? tx, long accountId, long id) =>
        ReadOneAsync(c, tx, $"SELECT {StatusReport.Columns} FROM status_reports WHERE id = @id AND account_id = @accountId", new { id, accountId });

    /// <summary>The one report a statement returns (a SELECT by id, or an INSERT/UPDATE ... RETURNING), or null.</summary>
    private static async Task<StatusReport?> ReadOneAsync(DbConnection c, DbTransaction? tx, string sql, object parameters)
    {
        await using var reader = await c.ExecuteReaderAsync(sql, parameters, tx);
        return await reader.ReadAsync() ? StatusReport.Read(reader) : null;
    }

    /// <summary>The nested reference is upserted on (this report, service_name), exactly as create_or_update does.</summary>
    private async Task UpsertReferenceAsync(DbConnection c, DbTransaction tx, Caller caller, StatusReport report, StatusReportInput input)
    {
        if (input.Reference is null) return;
        _ = await references.UpsertAsync(c, tx, caller.AccountId, input.Reference with { SubjectId = report.Id })
            ?? throw new InvalidOperationException($"Status report {report.Id} vanished inside its own transaction.");
    }
}
