using System.Data.Common;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using Xref.ExternalReferences;
using Xref.Storage;
using Xref.Wire;

namespace Xref.BulkData;

/// <summary>
/// <c>xref import</c>: external references from JSON Lines, one <c>external_reference</c> object per line,
/// validated and upserted exactly as create_or_update does, in transactions of <c>batchSize</c> lines.
/// A line may also carry <c>id</c>, <c>account_id</c>, <c>created_at</c>, <c>updated_at</c> and
/// <c>last_synced_at</c> (what <c>xref export</c> writes), so an export restores exactly. A key seen twice
/// ends the batch before its second line, so every batch holds each key once and a set-based write
/// (<see cref="PostgresReferenceCopy"/>) gives the same result as line after line.
/// </summary>
public sealed class ReferenceImporter(Database database, TimeProvider clock)
{
    /// <summary>From this many written rows on, an import on PostgreSQL is followed by <see cref="AfterBulkLoadAsync"/>.</summary>
    private const long BulkLoadRows = 10_000;

    /// <summary>Whether an import that wrote these rows is a bulk load that <see cref="AfterBulkLoadAsync"/> should follow.</summary>
    public bool IsBulkLoad(ImportSummary summary) =>
        database.Kind == DatabaseKind.Postgres && summary.Created + summary.Updated >= BulkLoadRows;

    /// <summary>
    /// PostgreSQL: VACUUM ANALYZE after a bulk load, as PostgreSQL's documentation advises, so the planner knows
    /// the new rows and the visibility map lets a deep page be counted from the index alone (EXPLAIN ANALYZE of
    /// OFFSET 50,000 right after importing 1,000,000 rows: 10,079 heap fetches). SQLite needs nothing.
    /// </summary>
    public async Task AfterBulkLoadAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("VACUUM (ANALYZE) external_references", commandTimeout: 0, cancellationToken: ct));
    }

    public async Task<ImportSummary> ImportAsync(TextReader reader, long? accountId, int batchSize, Action<long>? progress, CancellationToken ct)
    {
        var summary = new ImportSummary();
        var batches = new BatchWriter(batch => WriteAsync(batch, summary, ct));
        var batch = new List<ImportRow>(batchSize);
        var keys = new HashSet<ImportKey>();
        var explicitIds = false;
        try
        {
            await foreach (var (line, value, error) in JsonLines.ReadAsync(reader, progress, ct))
            {
                if (Parse(line, value, error, accountId, summary) is not { } row) continue;
                explicitIds |= row.Id is not null;
                if (!keys.Contains(row.Key) && batch.Count < batchSize)
                {
                    keys.Add(row.Key);
                    batch.Add(row);
                    continue;
                }
                await batches.StartAsync(batch);
                batch = [row];
                keys = [row.Key];
            }
            if (batch.Count > 0) await batches.StartAsync(batch);
            await batches.FinishAsync();
        }
        catch
        {
            await batches.AbandonAsync();
            throw;
        }
        if (explicitIds && database.Dialect.SyncIdentitySql("external_references") is { } sync)
            await database.WriteAsync((c, tx) => c.ExecuteAsync(sync, transaction: tx), ct);
        return summary;
    }

    /// <summary>
    /// Writes one batch in the background while the next is parsed, so reading and validating lines (the
    /// importer's own CPU) overlaps the database's work; at most one batch is in flight, so batches commit
    /// in file order. Task.Run because SQLite's async calls complete synchronously.
    /// </summary>
    private sealed class BatchWriter(Func<List<ImportRow>, Task> write)
    {
        private Task inFlight = Task.CompletedTask;

        public async Task StartAsync(List<ImportRow> batch)
        {
            await inFlight;
            inFlight = Task.Run(() => write(batch));
        }

        public Task FinishAsync() => inFlight;

        /// <summary>After a failure: lets the batch in flight end (its outcome is not the error to report) before the caller rethrows.</summary>
        public async Task AbandonAsync()
        {
            try { await inFlight; }
            catch (Exception) { /* the failure already being reported comes first */ }
        }
    }

    private ImportRow? Parse(long line, JsonObject? value, string? error, long? accountId, ImportSummary summary)
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
            return new ImportRow(line, account.Value, input, new UpsertTimes(created ?? now, updated ?? now, synced ?? now, created is not null), id);
        }
        catch (ApiException e)
        {
            summary.Reject(line, string.Join(" ", e.Errors.Select(x => x.Message)));
            return null;
        }
    }

    private Task WriteAsync(List<ImportRow> batch, ImportSummary summary, CancellationToken ct) => database.WriteAsync(async (c, tx) =>
    {
        var accepted = await WithUsableIdsAsync(c, tx, batch, summary);
        if (c is NpgsqlConnection postgres) accepted = await PostgresReferenceCopy.RunAsync(postgres, accepted, summary, ct);
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
                else if (UpsertCommand.ReadResult(result).Inserted) summary.AddCreated();
                else summary.AddUpdated();
            }, ct);
        return 0;
    }, ct);

    /// <summary>
    /// A line's own <c>id</c> is kept when no other reference has it; an id held by a different reference (or
    /// given twice in one batch) rejects the line rather than failing the whole batch on the primary key.
    /// </summary>
    private async Task<List<ImportRow>> WithUsableIdsAsync(DbConnection c, DbTransaction tx, List<ImportRow> batch, ImportSummary summary)
    {
        var ids = batch.Where(r => r.Id is not null).Select(r => r.Id!.Value).ToList();
        if (ids.Count == 0) return batch;
        var dialect = database.Dialect;
        var holders = (await c.QueryAsync<(long Id, long AccountId, string SubjectType, long SubjectId, string ServiceName)>(
                $"SELECT id, account_id, subject_type, subject_id, service_name FROM external_references WHERE {dialect.InIds("id", "@ids")}",
                new { ids = dialect.IdsParameter(ids) }, tx))
            .ToDictionary(h => h.Id);
        var seen = new HashSet<long>();
        var accepted = new List<ImportRow>(batch.Count);
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

/// <summary>The upsert key of a reference: a batch holds each at most once.</summary>
public readonly record struct ImportKey(long AccountId, string SubjectType, long SubjectId, string ServiceName);

/// <summary>One valid line of an import, ready to write.</summary>
public sealed record ImportRow(long Line, long AccountId, ExternalReferenceInput Input, UpsertTimes Times, long? Id)
{
    public ImportKey Key => new(AccountId, Input.SubjectType.Name, Input.SubjectId, Input.ServiceName);
}
