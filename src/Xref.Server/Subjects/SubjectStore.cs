using System.Data.Common;
using Dapper;
using Xref.Storage;
using Xref.Wire;

namespace Xref.Subjects;

/// <summary>Reads subjects for <c>include=subject</c> and checks that a subject exists in an account.</summary>
public sealed class SubjectStore(Database database)
{
    /// <summary>
    /// SQL condition true when subject (@subject_type, @subject_id) belongs to @account_id; used inside the
    /// upsert so the check and the write are one statement.
    /// </summary>
    public static string ExistsCondition(SubjectType type) =>
        $"EXISTS (SELECT 1 {Lookup(type.Table, "@account_id", "@subject_type", "@subject_id")})";

    /// <summary>
    /// The same check for every row of a set-based write: <paramref name="row"/> is a table alias with columns
    /// account_id, subject_type and subject_id, whatever the subject types of its rows. Each row probes the
    /// primary key with a scalar subquery (at most one row, NULL when none), because PostgreSQL would turn an
    /// EXISTS here into a hash of the whole subjects table, built again for every batch of an import.
    /// </summary>
    public static string ExistsConditionForRows(string row)
    {
        string Probe(SubjectTable table) => $"(SELECT TRUE {Lookup(table, $"{row}.account_id", $"{row}.subject_type", $"{row}.subject_id")})";
        var byTable = SubjectTypes.All.Where(t => t.Table != SubjectTable.Subjects).Select(t => $"WHEN '{t.Name}' THEN {Probe(t.Table)}");
        return $"CASE {row}.subject_type {string.Join(" ", byTable)} ELSE {Probe(SubjectTable.Subjects)} END";
    }

    private static string Lookup(SubjectTable table, string accountId, string subjectType, string subjectId) => table switch
    {
        SubjectTable.Users => $"FROM users WHERE id = {subjectId} AND account_id = {accountId}",
        SubjectTable.StatusReports => $"FROM status_reports WHERE id = {subjectId} AND account_id = {accountId}",
        _ => $"FROM subjects WHERE type = {subjectType} AND id = {subjectId} AND account_id = {accountId}",
    };

    /// <summary>Creates a bare subject in the account if no account has it (<c>--auto-subjects</c>).</summary>
    public static Task CreateIfMissingAsync(DbConnection connection, DbTransaction tx, long accountId, SubjectType type, long id, long now) =>
        connection.ExecuteAsync("""
            INSERT INTO subjects (type, id, account_id, attributes, created_at, updated_at)
            VALUES (@type, @id, @accountId, '{}', @now, @now)
            ON CONFLICT (type, id) DO NOTHING
            """, new { type = type.Name, id, accountId, now }, tx);

    /// <summary>The subjects of one type with these ids in the account, rendered for includes.</summary>
    public async Task<IReadOnlyList<IWireRecord>> FindAsync(DbConnection connection, long accountId, SubjectType type, IReadOnlyCollection<long> ids)
    {
        if (ids.Count == 0) return [];
        var dialect = database.Dialect;
        var parameters = new { accountId, type = type.Name, ids = dialect.IdsParameter(ids) };
        switch (type.Table)
        {
            case SubjectTable.Users:
                return [.. await UserQueries.FindAsync(connection, dialect, accountId, ids)];
            case SubjectTable.StatusReports:
                return [.. await StatusReports.StatusReportStore.FindManyAsync(connection, dialect, accountId, ids)];
            default:
                var rows = await connection.QueryAsync<(string Type, long Id, string Attributes, long CreatedAt, long UpdatedAt)>(
                    $"""
                    SELECT type, id, attributes, created_at, updated_at FROM subjects
                    WHERE account_id = @accountId AND type = @type AND {dialect.InIds("id", "@ids")}
                    ORDER BY id
                    """, parameters);
                return [.. rows.Select(r => new SubjectRecord(r.Type, r.Id, r.Attributes, r.CreatedAt, r.UpdatedAt))];
        }
    }
}

/// <summary>User lookups shared by subject includes and creator/updater includes.</summary>
public static class UserQueries
{
    public static async Task<IReadOnlyList<UserRecord>> FindAsync(DbConnection connection, SqlDialect dialect, long accountId, IReadOnlyCollection<long> ids)
    {
        if (ids.Count == 0) return [];
        var rows = await connection.QueryAsync<(long Id, string? FullName, string? EmailAddress, string? Headline, string? PhotoPath)>(
            $"""
            SELECT id, full_name, email_address, headline, photo_path FROM users
            WHERE account_id = @accountId AND {dialect.InIds("id", "@ids")}
            ORDER BY id
            """, new { accountId, ids = dialect.IdsParameter(ids) });
        return [.. rows.Select(r => new UserRecord(r.Id, r.FullName, r.EmailAddress, r.Headline, r.PhotoPath))];
    }
}
