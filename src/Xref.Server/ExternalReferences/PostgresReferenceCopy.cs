using Npgsql;
using NpgsqlTypes;
using Xref.Storage;
using Xref.Subjects;

namespace Xref.ExternalReferences;

/// <summary>
/// The PostgreSQL bulk path of <c>xref import</c> (<see cref="ExternalReferenceStore.ImportAsync"/>): a batch is copied (binary <c>COPY</c>) into a temporary table and
/// applied with one INSERT and one UPDATE, so PostgreSQL plans and runs two statements per batch instead of one
/// per line, and the count triggers aggregate each statement once. The semantics are the upsert's
/// (<see cref="UpsertCommand"/>, which says why they are written twice): the key decides update or insert, an update changes only the
/// fields the line carried, the subject must belong to the account. The caller guarantees that no key appears
/// twice in a batch. Lines that neither statement wrote (the subject is not in the account, or another writer
/// deleted the key between the two statements) are handed back for the per-line upsert, which rejects or
/// applies them exactly as the API would.
/// </summary>
internal sealed class PostgresReferenceCopy(Action<ImportRow, ImportOutcome> onOutcome) : IBulkWrite<ImportRow>
{
    private const string Staging = """
        CREATE TEMP TABLE IF NOT EXISTS import_references (
            line BIGINT NOT NULL, id BIGINT, account_id BIGINT NOT NULL, subject_type TEXT NOT NULL, subject_id BIGINT NOT NULL,
            service_name TEXT NOT NULL, service_model TEXT NOT NULL, service_model_ref TEXT NOT NULL, status TEXT,
            external_link TEXT, set_external_link BOOLEAN NOT NULL, external_status TEXT, set_external_status BOOLEAN NOT NULL,
            external_message TEXT, set_external_message BOOLEAN NOT NULL, locked BOOLEAN, set_locked BOOLEAN NOT NULL,
            created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, last_synced_at BIGINT NOT NULL, set_created_at BOOLEAN NOT NULL
        ) ON COMMIT DELETE ROWS
        """;

    private const string Copy = """
        COPY import_references (line, id, account_id, subject_type, subject_id, service_name, service_model,
            service_model_ref, status, external_link, set_external_link, external_status, set_external_status,
            external_message, set_external_message, locked, set_locked, created_at, updated_at, last_synced_at,
            set_created_at) FROM STDIN (FORMAT BINARY)
        """;

    // Ids are drawn in line order (PostgreSQL evaluates nextval after the sort), as the per-line path draws them.
    // A key that exists already is skipped here (ON CONFLICT DO NOTHING) and updated by the next statement.
    private static readonly string Insert = $"""
        INSERT INTO external_references (id, account_id, subject_type, subject_id, service_name, service_model,
            service_model_ref, status, external_link, external_status, external_message, locked,
            created_at, updated_at, last_synced_at)
        SELECT COALESCE(i.id, nextval(pg_get_serial_sequence('external_references', 'id'))), i.account_id, i.subject_type,
            i.subject_id, i.service_name, i.service_model, i.service_model_ref, COALESCE(i.status, 'pending'),
            i.external_link, i.external_status, i.external_message, COALESCE(i.locked, FALSE),
            i.created_at, i.updated_at, i.last_synced_at
        FROM import_references i
        WHERE {SubjectStore.ExistsConditionForRows("i")}
        ORDER BY i.line
        ON CONFLICT DO NOTHING
        RETURNING account_id, subject_type, subject_id, service_name
        """;

    // The lines the INSERT did not write, as the upsert's DO UPDATE would write them.
    private static readonly string Update = $"""
        UPDATE external_references r SET
            service_model = i.service_model,
            service_model_ref = i.service_model_ref,
            status = COALESCE(i.status, r.status),
            external_link = CASE WHEN i.set_external_link THEN i.external_link ELSE r.external_link END,
            external_status = CASE WHEN i.set_external_status THEN i.external_status ELSE r.external_status END,
            external_message = CASE WHEN i.set_external_message THEN i.external_message ELSE r.external_message END,
            locked = CASE WHEN i.set_locked THEN COALESCE(i.locked, FALSE) ELSE r.locked END,
            created_at = CASE WHEN i.set_created_at THEN i.created_at ELSE r.created_at END,
            updated_at = i.updated_at,
            last_synced_at = i.last_synced_at,
            revision = r.revision + 1
        FROM import_references i
        WHERE i.line = ANY(@lines)
            AND r.account_id = i.account_id AND r.subject_type = i.subject_type AND r.subject_id = i.subject_id
            AND r.service_name = i.service_name AND {SubjectStore.ExistsConditionForRows("i")}
        RETURNING i.line AS line
        """;

    /// <summary>
    /// Writes <paramref name="rows"/> in the connection's open transaction (once per transaction: the staging
    /// rows are deleted at commit); returns the rows left for the per-line upsert.
    /// </summary>
    public async Task<IReadOnlyList<ImportRow>> CopyAsync(NpgsqlConnection connection, IReadOnlyList<ImportRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return rows;
        await using (var create = new NpgsqlCommand(Staging, connection)) await create.ExecuteNonQueryAsync(ct);
        await CopyRowsAsync(connection, rows, ct);

        var rowByKey = rows.ToDictionary(r => r.Key);
        var rowByLine = rows.ToDictionary(r => r.Line);
        var written = new HashSet<long>();
        await using (var insert = new NpgsqlCommand(Insert, connection))
        await using (var reader = await insert.ExecuteReaderAsync(ct))
        {
            int account = reader.GetOrdinal("account_id"), type = reader.GetOrdinal("subject_type"),
                subject = reader.GetOrdinal("subject_id"), service = reader.GetOrdinal("service_name");
            while (await reader.ReadAsync(ct))
            {
                var row = rowByKey[new ImportKey(reader.GetInt64(account), reader.GetString(type), reader.GetInt64(subject), reader.GetString(service))];
                written.Add(row.Line);
                onOutcome(row, ImportOutcome.Created);
            }
        }
        var rest = rows.Where(r => !written.Contains(r.Line)).ToList();
        if (rest.Count == 0) return rest;

        await using (var update = new NpgsqlCommand(Update, connection))
        {
            update.Parameters.Add(new NpgsqlParameter<long[]>("lines", [.. rest.Select(r => r.Line)]));
            await using var reader = await update.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var line = reader.Int64("line");
                written.Add(line);
                onOutcome(rowByLine[line], ImportOutcome.Updated);
            }
        }
        return [.. rest.Where(r => !written.Contains(r.Line))];
    }

    private static async Task CopyRowsAsync(NpgsqlConnection connection, IReadOnlyList<ImportRow> rows, CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync(Copy, ct);
        foreach (var row in rows)
        {
            var input = row.Input;
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(row.Line, NpgsqlDbType.Bigint, ct);
            await WriteNullableAsync(copy, row.Id, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(row.AccountId, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(input.SubjectType.Name, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(input.SubjectId, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(input.ServiceName, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(input.ServiceModel, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(input.ServiceModelRef, NpgsqlDbType.Text, ct);
            await WriteNullableAsync(copy, input.Status, NpgsqlDbType.Text, ct);
            await WriteNullableAsync(copy, input.ExternalLink.Value, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(input.ExternalLink.IsPresent, NpgsqlDbType.Boolean, ct);
            await WriteNullableAsync(copy, input.ExternalStatus.Value, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(input.ExternalStatus.IsPresent, NpgsqlDbType.Boolean, ct);
            await WriteNullableAsync(copy, input.ExternalMessage.Value, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(input.ExternalMessage.IsPresent, NpgsqlDbType.Boolean, ct);
            await WriteNullableAsync(copy, input.Locked.Value, NpgsqlDbType.Boolean, ct);
            await copy.WriteAsync(input.Locked.IsPresent, NpgsqlDbType.Boolean, ct);
            await copy.WriteAsync(row.Times.CreatedAt, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(row.Times.UpdatedAt, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(row.Times.LastSyncedAt, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(row.Times.SetCreatedAt, NpgsqlDbType.Boolean, ct);
        }
        await copy.CompleteAsync(ct);
    }

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct) =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, type, ct);
}
