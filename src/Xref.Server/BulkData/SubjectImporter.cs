using System.Data;
using System.Text.Json.Nodes;
using Dapper;
using Xref.Storage;
using Xref.Subjects;
using Xref.Wire;

namespace Xref.BulkData;

/// <summary>
/// <c>xref import --subjects FILE</c>: Kantata objects from JSON Lines (<c>{"type": "Workspace", "id": 100,
/// "title": "..."}</c>), upserted by (type, id) into the account. An id owned by another account is rejected.
/// </summary>
public sealed class SubjectImporter(Database database, TimeProvider clock)
{
    private sealed record Row(long Line, long AccountId, string Type, long Id, string Attributes);

    private const string UpsertSql = """
        INSERT INTO subjects (type, id, account_id, attributes, created_at, updated_at)
        VALUES (@type, @id, @account_id, @attributes, @now, @now)
        ON CONFLICT (type, id) DO UPDATE SET attributes = excluded.attributes, updated_at = excluded.updated_at
        WHERE subjects.account_id = excluded.account_id
        RETURNING id
        """;

    public async Task<ImportSummary> ImportAsync(TextReader reader, long? accountId, int batchSize, Action<long>? progress, CancellationToken ct)
    {
        var summary = new ImportSummary();
        var knownAccounts = new Dictionary<long, bool>();
        var batch = new List<Row>(batchSize);
        await foreach (var (line, value, error) in JsonLines.ReadAsync(reader, progress, ct))
        {
            if (Parse(line, value, error, accountId, summary) is not { } row) continue;
            if (!knownAccounts.TryGetValue(row.AccountId, out var exists))
                knownAccounts[row.AccountId] = exists = await database.ReadAsync(c =>
                    c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM accounts WHERE id = @id", new { id = row.AccountId }), ct) > 0;
            if (!exists)
            {
                summary.Reject(line, $"account {row.AccountId} does not exist; create it with `xref accounts create`.");
                continue;
            }
            batch.Add(row);
            if (batch.Count < batchSize) continue;
            await WriteAsync(batch, summary, ct);
            batch.Clear();
        }
        if (batch.Count > 0) await WriteAsync(batch, summary, ct);
        return summary;
    }

    private static Row? Parse(long line, JsonObject? value, string? error, long? accountId, ImportSummary summary)
    {
        if (value is null)
        {
            summary.Reject(line, error!);
            return null;
        }
        var type = SubjectTypes.Find(value["type"] is JsonValue t && t.TryGetValue<string>(out var name) ? name : null);
        var id = JsonLines.Id(value, "id", out var idError);
        var account = accountId ?? JsonLines.Id(value, "account_id", out _);
        var problem = type is null ? $"type must be one of {SubjectTypes.NameList}."
            : type.Table != SubjectTable.Subjects ? $"{type.Name} cannot be imported as a subject."
            : id is null ? idError ?? "id is required."
            : account is null ? "account_id is missing; give it on the line or pass --account."
            : null;
        if (problem is not null)
        {
            summary.Reject(line, problem);
            return null;
        }
        var attributes = new JsonObject();
        foreach (var (key, node) in value)
            if (key is not ("type" or "id" or "account_id" or "created_at" or "updated_at"))
                attributes[key] = node?.DeepClone();
        return new Row(line, account!.Value, type!.Name, id!.Value, attributes.ToJsonString());
    }

    private Task WriteAsync(List<Row> batch, ImportSummary summary, CancellationToken ct) => database.WriteAsync(async (c, tx) =>
    {
        var now = WireValues.Now(clock);
        await RowBatch.RunAsync(c, tx, batch, _ => UpsertSql,
            (row, parameters, create) =>
            {
                void Add(string name, DbType type, object value)
                {
                    var p = create();
                    p.ParameterName = name;
                    p.DbType = type;
                    p.Value = value;
                    parameters.Add(p);
                }
                Add("type", DbType.String, row.Type);
                Add("id", DbType.Int64, row.Id);
                Add("account_id", DbType.Int64, row.AccountId);
                Add("attributes", DbType.String, row.Attributes);
                Add("now", DbType.Int64, now);
            },
            (row, result) =>
            {
                if (result is null) summary.Reject(row.Line, $"{row.Type} {row.Id} belongs to another account; ids are global.");
                else summary.AddCreated();
            }, ct);
        return 0;
    }, ct);
}
