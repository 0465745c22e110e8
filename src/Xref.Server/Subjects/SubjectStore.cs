using System.Data.Common;
using Xref.Storage;
using Xref.Wire;

namespace Xref.Subjects;

/// <summary>
/// All SQL on <c>subjects</c> (every Kantata object but users and status reports; ids are a namespace per account,
/// see migration 008), and the condition that a
/// subject of any type exists in an account, which the upserts embed so that the check and the write are one statement.
/// </summary>
public sealed partial class SubjectStore(Database database) : ISubjectSource
{
    /// <summary>SQL condition true when subject (@subject_type, @subject_id) belongs to @account_id.</summary>
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

    /// <summary>True when the subject exists in the account (inside the caller's transaction).</summary>
    public async Task<bool> ExistsAsync(DbConnection c, DbTransaction? tx, long accountId, SubjectType type, long id, CancellationToken ct)
    {
        var found = false;
        await database.RunAsync(c, tx, Statement.FirstRow($"SELECT 1 AS found WHERE {ExistsCondition(type)}",
            new SqlParameters().Add("account_id", accountId).Add("subject_type", type.Name).Add("subject_id", id), _ => found = true), ct);
        return found;
    }

    /// <summary>Creates a bare subject in the account unless it has it already (<c>--auto-subjects</c>).</summary>
    public Task CreateIfMissingAsync(DbConnection c, DbTransaction tx, long accountId, SubjectType type, long id, long now, CancellationToken ct) =>
        database.RunAsync(c, tx, CreateIfMissing(accountId, type, id, now), ct);

    /// <summary>The statement that creates a subject with no attributes unless it exists (an account's auto subjects).</summary>
    public static Statement CreateIfMissing(long accountId, SubjectType type, long id, long now) =>
        Statement.Execute("""
            INSERT INTO subjects (type, id, account_id, attributes, created_at, updated_at)
            VALUES (@type, @id, @account, '{}', @now, @now)
            ON CONFLICT (account_id, type, id) DO NOTHING
            """, new SqlParameters().Add("type", type.Name).Add("id", id).Add("account", accountId).Add("now", now));

    /// <summary>A seed's subject: inserted, or its attributes replaced only when they differ.</summary>
    public Task UpsertAsync(DbConnection c, DbTransaction tx, long accountId, string type, long id, string attributes, long now, CancellationToken ct) =>
        database.RunAsync(c, tx, Statement.Execute("""
            INSERT INTO subjects (type, id, account_id, attributes, created_at, updated_at)
            VALUES (@type, @id, @account, @attributes, @now, @now)
            ON CONFLICT (account_id, type, id) DO UPDATE SET attributes = excluded.attributes, updated_at = excluded.updated_at
            WHERE subjects.attributes IS DISTINCT FROM excluded.attributes
            """, new SqlParameters().Add("type", type).Add("id", id).Add("account", accountId).Add("attributes", attributes).Add("now", now)), ct);

    /// <summary>
    /// <c>xref import --subjects</c>: upserts each subject by (account, type, id) in one transaction;
    /// <paramref name="onResult"/> is told of each, in order, once it is written.
    /// </summary>
    public Task ImportAsync(IReadOnlyList<ImportedSubject> subjects, long now, Action<ImportedSubject> onResult, CancellationToken ct) =>
        database.WriteAsync(async (c, tx) =>
        {
            await database.RunEachAsync(c, tx, subjects.Select(s => new Statement("""
                    INSERT INTO subjects (type, id, account_id, attributes, created_at, updated_at)
                    VALUES (@type, @id, @account, @attributes, @now, @now)
                    ON CONFLICT (account_id, type, id) DO UPDATE SET attributes = excluded.attributes, updated_at = excluded.updated_at
                    """, new SqlParameters().Add("type", s.Type).Add("id", s.Id).Add("account", s.AccountId).Add("attributes", s.Attributes).Add("now", now),
                (_, _) =>
                {
                    onResult(s);
                    return Task.CompletedTask;
                })), ct);
            return 0;
        }, ct);

    public SubjectTable Table => SubjectTable.Subjects;

    public async Task<IReadOnlyList<IWireRecord>> FindAsync(long accountId, SubjectType type, IReadOnlyCollection<long> ids, CancellationToken ct) =>
        await database.FindByIdsAsync("subjects", SubjectRecord.Columns, accountId, ids, SubjectRecord.Reader, ct, where => where.Equal("type", type.Name));
}

/// <summary>One subject line of <c>xref import --subjects</c>, ready to write.</summary>
public sealed record ImportedSubject(long Line, long AccountId, string Type, long Id, string Attributes);
