using System.Data.Common;
using System.Text.Json.Nodes;
using Dapper;
using Xref.ExternalReferences;
using Xref.Storage;
using Xref.Wire;

namespace Xref.BulkData;

/// <summary>
/// <c>xref import</c>: external references from JSON Lines, one <c>external_reference</c> object per line,
/// validated and upserted exactly as create_or_update does, in transactions of <c>batchSize</c> lines.
/// A line may also carry <c>id</c>, <c>account_id</c>, <c>created_at</c>, <c>updated_at</c> and
/// <c>last_synced_at</c> (what <c>xref export</c> writes), so an export restores exactly.
/// </summary>
public sealed class ReferenceImporter(Database database, TimeProvider clock)
{
    private sealed record Row(long Line, long AccountId, ExternalReferenceInput Input, UpsertTimes Times, long? Id);

    public async Task<ImportSummary> ImportAsync(TextReader reader, long? accountId, int batchSize, Action<long>? progress, CancellationToken ct)
    {
        var summary = new ImportSummary();
        var batch = new List<Row>(batchSize);
        var explicitIds = false;
        await foreach (var (line, value, error) in JsonLines.ReadAsync(reader, progress, ct))
        {
            if (Parse(line, value, error, accountId, summary) is not { } row) continue;
            explicitIds |= row.Id is not null;
            batch.Add(row);
            if (batch.Count < batchSize) continue;
            await WriteAsync(batch, summary, ct);
            batch.Clear();
        }
        if (batch.Count > 0) await WriteAsync(batch, summary, ct);
        if (explicitIds && database.Dialect.SyncIdentitySql("external_references") is { } sync)
            await database.WriteAsync((c, tx) => c.ExecuteAsync(sync, transaction: tx), ct);
        return summary;
    }

    private Row? Parse(long line, JsonObject? value, string? error, long? accountId, ImportSummary summary)
    {
        if (value is null)
        {
            summary.Reject(line, error!);
            return null;
        }
        var account = accountId ?? JsonLines.Id(value, "account_id", out error);
        if (account is null)
        {
            summary.Reject(line, error ?? "account_id is missing; give it on the line or pass --account.");
            return null;
        }
        var id = JsonLines.Id(value, "id", out var idError);
        var now = WireValues.Now(clock);
        var created = JsonLines.Timestamp(value, "created_at", out var createdError);
        var updated = JsonLines.Timestamp(value, "updated_at", out var updatedError);
        var synced = JsonLines.Timestamp(value, "last_synced_at", out var syncedError);
        if ((idError ?? createdError ?? updatedError ?? syncedError) is { } problem)
        {
            summary.Reject(line, problem);
            return null;
        }
        try
        {
            var input = ExternalReferenceInput.Parse(value);
            return new Row(line, account.Value, input, new UpsertTimes(created ?? now, updated ?? now, synced ?? now, created is not null), id);
        }
        catch (ApiException e)
        {
            summary.Reject(line, string.Join(" ", e.Errors.Select(x => x.Message)));
            return null;
        }
    }

    private Task WriteAsync(List<Row> batch, ImportSummary summary, CancellationToken ct) => database.WriteAsync(async (c, tx) =>
    {
        var accepted = await WithUsableIdsAsync(c, tx, batch, summary);
        await RowBatch.RunAsync(c, tx, accepted,
            row => UpsertCommand.Sql(database.Dialect, row.Input.SubjectType, withId: row.Id is not null),
            (row, parameters, create) =>
            {
                UpsertCommand.AddParameters(parameters, create, withId: row.Id is not null);
                UpsertCommand.SetValues(parameters, row.AccountId, row.Input, row.Times, row.Id);
            },
            (row, result) =>
            {
                if (result is null)
                    summary.Reject(row.Line, $"subject_id: {row.Input.SubjectType.Name} {row.Input.SubjectId} does not exist in account {row.AccountId}.");
                else if (UpsertCommand.ReadResult(result).Inserted) summary.Created++;
                else summary.Updated++;
            }, ct);
        return 0;
    }, ct);

    /// <summary>
    /// A line's own <c>id</c> is kept when no other reference has it; an id held by a different reference (or
    /// given twice in one batch) rejects the line rather than failing the whole batch on the primary key.
    /// </summary>
    private async Task<List<Row>> WithUsableIdsAsync(DbConnection c, DbTransaction tx, List<Row> batch, ImportSummary summary)
    {
        var ids = batch.Where(r => r.Id is not null).Select(r => r.Id!.Value).ToList();
        if (ids.Count == 0) return batch;
        var dialect = database.Dialect;
        var holders = (await c.QueryAsync<(long Id, long AccountId, string SubjectType, long SubjectId, string ServiceName)>(
                $"SELECT id, account_id, subject_type, subject_id, service_name FROM external_references WHERE {dialect.InIds("id", "@ids")}",
                new { ids = dialect.IdsParameter(ids) }, tx))
            .ToDictionary(h => h.Id);
        var seen = new HashSet<long>();
        var accepted = new List<Row>(batch.Count);
        foreach (var row in batch)
        {
            if (row.Id is { } id)
            {
                var sameKey = !holders.TryGetValue(id, out var holder) || holder == (id, row.AccountId, row.Input.SubjectType.Name, row.Input.SubjectId, row.Input.ServiceName);
                if (!sameKey || !seen.Add(id))
                {
                    summary.Reject(row.Line, $"id {id} is already used by another external reference.");
                    continue;
                }
            }
            accepted.Add(row);
        }
        return accepted;
    }
}
