using System.Data;
using System.Data.Common;
using Xref.Storage;
using Xref.Subjects;

namespace Xref.ExternalReferences;

/// <summary>
/// The atomic create-or-update of contract §5 as one statement (the API runs it once; <c>xref import</c> on SQLite
/// a million times, prepared once). On the key (account, subject_type, subject_id, service_name) it inserts, or
/// updates only the fields the input carried; the subject check is inside the statement, so nothing is written for
/// a subject outside the account.
/// <para>
/// The same semantics are written a second time, set-based, in <see cref="PostgresReferenceCopy"/> for PostgreSQL
/// bulk imports (2.6-3.4 times faster); <c>ExportImportTests</c> compares the two line by line on both databases.
/// </para>
/// </summary>
internal static class UpsertCommand
{
    /// <summary>
    /// The statement for one reference; <paramref name="id"/> is an import's explicit id (null: the next one).
    /// <paramref name="onResult"/> gets what was stored, or null when the subject is not in the account.
    /// </summary>
    public static Statement For(long accountId, ExternalReferenceInput input, UpsertTimes times, long? id, Action<UpsertResult?> onResult)
    {
        var parameters = new SqlParameters();
        if (id is not null) parameters.Add("id", id, DbType.Int64);
        parameters.Add("account_id", accountId, DbType.Int64).Add("subject_type", input.SubjectType.Name).Add("subject_id", input.SubjectId, DbType.Int64)
            .Add("service_name", input.ServiceName).Add("service_model", input.ServiceModel).Add("service_model_ref", input.ServiceModelRef)
            .Add("status", input.Status)
            .Add("external_link", input.ExternalLink.Value).Add("set_external_link", input.ExternalLink.IsPresent, DbType.Boolean)
            .Add("external_status", input.ExternalStatus.Value).Add("set_external_status", input.ExternalStatus.IsPresent, DbType.Boolean)
            .Add("external_message", input.ExternalMessage.Value).Add("set_external_message", input.ExternalMessage.IsPresent, DbType.Boolean)
            .Add("locked", input.Locked.Value, DbType.Boolean).Add("set_locked", input.Locked.IsPresent, DbType.Boolean)
            .Add("created_at", times.CreatedAt, DbType.Int64).Add("updated_at", times.UpdatedAt, DbType.Int64)
            .Add("last_synced_at", times.LastSyncedAt, DbType.Int64).Add("set_created_at", times.SetCreatedAt, DbType.Boolean);
        // No row comes back when the subject is not in the account: nothing was written.
        var sql = Sql(input.SubjectType, withId: id is not null);
        return new Statement(sql, parameters,
            async (reader, ct) => onResult(await reader.ReadAsync(ct) ? Statement.CachedReader(sql, ResultReader, reader)(reader) : null));
    }

    private static string Sql(SubjectType type, bool withId) => $"""
        INSERT INTO external_references ({(withId ? "id, " : "")}account_id, subject_type, subject_id, service_name, service_model,
            service_model_ref, status, external_link, external_status, external_message, locked,
            created_at, updated_at, last_synced_at)
        SELECT {(withId ? "@id, " : "")}@account_id, @subject_type, @subject_id, @service_name, @service_model,
            @service_model_ref, COALESCE(@status, 'pending'), @external_link, @external_status, @external_message,
            COALESCE(@locked, FALSE), @created_at, @updated_at, @last_synced_at
        WHERE {SubjectStore.ExistsCondition(type)}
        ON CONFLICT (account_id, subject_type, subject_id, service_name) DO UPDATE SET
            service_model = excluded.service_model,
            service_model_ref = excluded.service_model_ref,
            status = CASE WHEN @status IS NULL THEN external_references.status ELSE excluded.status END,
            external_link = CASE WHEN @set_external_link THEN excluded.external_link ELSE external_references.external_link END,
            external_status = CASE WHEN @set_external_status THEN excluded.external_status ELSE external_references.external_status END,
            external_message = CASE WHEN @set_external_message THEN excluded.external_message ELSE external_references.external_message END,
            locked = CASE WHEN @set_locked THEN excluded.locked ELSE external_references.locked END,
            created_at = CASE WHEN @set_created_at THEN excluded.created_at ELSE external_references.created_at END,
            updated_at = excluded.updated_at,
            last_synced_at = excluded.last_synced_at,
            revision = external_references.revision + 1
        RETURNING {ExternalReference.Columns}, revision
        """;

    /// <summary>Reads the stored row, and whether this statement created it (a new row's revision is 0).</summary>
    private static Func<DbDataReader, UpsertResult> ResultReader(DbDataReader reader)
    {
        var row = ExternalReference.Reader(reader);
        var revision = reader.GetOrdinal("revision");
        return r => new(row(r), r.GetInt64(revision) == 0);
    }
}

/// <summary>What an upsert wrote: the stored row, and whether it was created.</summary>
public readonly record struct UpsertResult(ExternalReference Row, bool Inserted);

/// <summary>The timestamps an upsert writes: the API passes now for all three; an import may carry its own.</summary>
public readonly record struct UpsertTimes(long CreatedAt, long UpdatedAt, long LastSyncedAt, bool SetCreatedAt)
{
    public static UpsertTimes Now(long now) => new(now, now, now, SetCreatedAt: false);
}
