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
    /// <summary>
    /// One atomic statement: inserts, or on the key (account, subject_type, subject_id, service_name) updates only
    /// the fields the request carried. The subject check is inside it, so nothing is written for a foreign subject.
    /// </summary>
    private static string UpsertSql(SubjectType type) => $"""
        INSERT INTO external_references (account_id, subject_type, subject_id, service_name, service_model,
            service_model_ref, status, external_link, external_status, external_message, locked,
            created_at, updated_at, last_synced_at)
        SELECT @account_id, @subject_type, @subject_id, @service_name, @service_model,
            @service_model_ref, COALESCE(@status, 'pending'), @external_link, @external_status, @external_message,
            COALESCE(@locked, FALSE), @now, @now, @now
        WHERE {SubjectStore.ExistsCondition(type)}
        ON CONFLICT (account_id, subject_type, subject_id, service_name) DO UPDATE SET
            service_model = excluded.service_model,
            service_model_ref = excluded.service_model_ref,
            status = CASE WHEN @status IS NULL THEN external_references.status ELSE excluded.status END,
            external_link = CASE WHEN @set_external_link THEN excluded.external_link ELSE external_references.external_link END,
            external_status = CASE WHEN @set_external_status THEN excluded.external_status ELSE external_references.external_status END,
            external_message = CASE WHEN @set_external_message THEN excluded.external_message ELSE external_references.external_message END,
            locked = CASE WHEN @set_locked THEN excluded.locked ELSE external_references.locked END,
            updated_at = excluded.updated_at,
            last_synced_at = excluded.last_synced_at
        RETURNING {ExternalReference.Columns}
        """;

    /// <summary>Upserts within the caller's transaction; null when the subject is not in the account.</summary>
    public async Task<ExternalReference?> UpsertAsync(DbConnection connection, DbTransaction tx, long accountId, ExternalReferenceInput input)
    {
        var parameters = new
        {
            account_id = accountId,
            subject_type = input.SubjectType.Name,
            subject_id = input.SubjectId,
            service_name = input.ServiceName,
            service_model = input.ServiceModel,
            service_model_ref = input.ServiceModelRef,
            status = input.Status,
            external_link = input.ExternalLink.Value,
            set_external_link = input.ExternalLink.IsPresent,
            external_status = input.ExternalStatus.Value,
            set_external_status = input.ExternalStatus.IsPresent,
            external_message = input.ExternalMessage.Value,
            set_external_message = input.ExternalMessage.IsPresent,
            locked = input.Locked.Value,
            set_locked = input.Locked.IsPresent,
            now = WireValues.Now(clock),
        };
        await using var reader = await connection.ExecuteReaderAsync(UpsertSql(input.SubjectType), parameters, tx);
        return await reader.ReadAsync() ? ExternalReference.Read(reader) : null;
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
