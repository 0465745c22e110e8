using System.Data;
using System.Data.Common;
using Xref.Storage;
using Xref.Subjects;

namespace Xref.ExternalReferences;

/// <summary>The timestamps an upsert writes: the API passes now for all three; an import may carry its own.</summary>
public readonly record struct UpsertTimes(long CreatedAt, long UpdatedAt, long LastSyncedAt, bool SetCreatedAt)
{
    public static UpsertTimes Now(long now) => new(now, now, now, SetCreatedAt: false);
}

/// <summary>
/// The atomic create-or-update of contract §5 as one prepared statement, reusable row after row (the API
/// runs it once; <c>xref import</c> a million times). On the key (account, subject_type, subject_id,
/// service_name) it inserts, or updates only the fields the input carried; the subject check is inside the
/// statement, so nothing is written for a subject outside the account.
/// </summary>
public sealed class UpsertCommand : IAsyncDisposable
{
    private readonly DbCommand command;

    /// <summary>Every parameter of the statement with its type; <see cref="SetValues"/> fills them in this order.</summary>
    private static readonly (string Name, DbType Type)[] ParameterList =
    [
        ("id", DbType.Int64), ("account_id", DbType.Int64), ("subject_type", DbType.String), ("subject_id", DbType.Int64),
        ("service_name", DbType.String), ("service_model", DbType.String), ("service_model_ref", DbType.String),
        ("status", DbType.String), ("external_link", DbType.String), ("set_external_link", DbType.Boolean),
        ("external_status", DbType.String), ("set_external_status", DbType.Boolean), ("external_message", DbType.String),
        ("set_external_message", DbType.Boolean), ("locked", DbType.Boolean), ("set_locked", DbType.Boolean),
        ("created_at", DbType.Int64), ("updated_at", DbType.Int64), ("last_synced_at", DbType.Int64), ("set_created_at", DbType.Boolean),
    ];

    public UpsertCommand(DbConnection connection, DbTransaction tx, SqlDialect dialect, SubjectType type, bool withId)
    {
        command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = Sql(dialect, type, withId);
        AddParameters(command.Parameters, command.CreateParameter, withId);
    }

    /// <summary>Adds the statement's parameters (typed, so PostgreSQL knows the type of a null) to a command or batch command.</summary>
    public static void AddParameters(DbParameterCollection target, Func<DbParameter> create, bool withId)
    {
        foreach (var (name, type) in ParameterList)
        {
            if (name == "id" && !withId) continue;
            var parameter = create();
            parameter.ParameterName = name;
            parameter.DbType = type;
            parameter.Value = DBNull.Value;
            target.Add(parameter);
        }
    }

    /// <summary>Sets the values of parameters added by <see cref="AddParameters"/>.</summary>
    public static void SetValues(DbParameterCollection target, long accountId, ExternalReferenceInput input, UpsertTimes times, long? id)
    {
        object?[] values =
        [
            id, accountId, input.SubjectType.Name, input.SubjectId, input.ServiceName, input.ServiceModel, input.ServiceModelRef,
            input.Status, input.ExternalLink.Value, input.ExternalLink.IsPresent, input.ExternalStatus.Value, input.ExternalStatus.IsPresent,
            input.ExternalMessage.Value, input.ExternalMessage.IsPresent, input.Locked.Value, input.Locked.IsPresent,
            times.CreatedAt, times.UpdatedAt, times.LastSyncedAt, times.SetCreatedAt,
        ];
        var offset = target.Count == ParameterList.Length ? 0 : 1;
        for (var i = offset; i < values.Length; i++) target[i - offset].Value = values[i] ?? DBNull.Value;
    }

    public static string Sql(SqlDialect dialect, SubjectType type, bool withId) => $"""
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

    public void Bind(long accountId, ExternalReferenceInput input, UpsertTimes times, long? id = null) =>
        SetValues(command.Parameters, accountId, input, times, id);

    /// <summary>The stored row, or null when the subject is not in the account; and whether it was created.</summary>
    public async Task<(ExternalReference? Row, bool Inserted)> ExecuteAsync(CancellationToken ct = default)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return (null, false);
        return ReadResult(reader);
    }

    public static (ExternalReference Row, bool Inserted) ReadResult(DbDataReader reader)
    {
        var flag = ExternalReference.ColumnCount;
        return (ExternalReference.Read(reader), reader.GetInt64(flag) == 0);
    }

    public ValueTask DisposeAsync() => command.DisposeAsync();
}
