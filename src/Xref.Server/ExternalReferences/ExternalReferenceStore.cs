using System.Data.Common;
using Dapper;
using Xref.Auth;
using Xref.Storage;
using Xref.Subjects;
using Xref.Wire;

namespace Xref.ExternalReferences;

/// <summary>All SQL on <c>external_references</c>. Every statement filters on the caller's account.</summary>
public sealed class ExternalReferenceStore(Database database, TimeProvider clock)
{
    /// <summary>Upserts within the caller's transaction; null when the subject is not in the account.</summary>
    public async Task<ExternalReference?> UpsertAsync(DbConnection connection, DbTransaction tx, long accountId, ExternalReferenceInput input)
    {
        await using var upsert = new UpsertCommand(connection, tx, database.Dialect, input.SubjectType, withId: false);
        upsert.Bind(accountId, input, UpsertTimes.Now(WireValues.Now(clock)));
        return (await upsert.ExecuteAsync()).Row;
    }

    /// <summary>create_or_update: the upsert in its own transaction, creating the subject first when allowed.</summary>
    public Task<ExternalReference> CreateOrUpdateAsync(Caller caller, ExternalReferenceInput input, bool autoSubjects, CancellationToken ct) =>
        database.WriteAsync(async (c, tx) =>
        {
            if (autoSubjects && input.SubjectType.Table == SubjectTable.Subjects)
                await SubjectStore.CreateIfMissingAsync(c, tx, caller.AccountId, input.SubjectType, input.SubjectId, WireValues.Now(clock));
            return await UpsertAsync(c, tx, caller.AccountId, input)
                ?? throw ApiException.Invalid("subject_id", $"{input.SubjectType.Name} {input.SubjectId} does not exist in your account.");
        }, ct);

    public async Task<bool> DeleteAsync(long accountId, long id, CancellationToken ct) =>
        await database.WriteAsync((c, tx) => c.ExecuteAsync(
            "DELETE FROM external_references WHERE id = @id AND account_id = @accountId", new { id, accountId }, tx), ct) > 0;

    /// <summary>The page of references the query asks for, and the exact count of all that match.</summary>
    public Task<(long Count, List<ExternalReference> Page)> ListAsync(long accountId, ExternalReferenceQuery query, CancellationToken ct)
    {
        var where = query.Where(database.Dialect, accountId);
        return database.ReadAsync(c => PagedSelect.RunAsync(c, "external_references", ExternalReference.Columns, where,
            query.Order, query.Page, paged: query.Only is null, ExternalReference.Read, ct), ct);
    }
}
