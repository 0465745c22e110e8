using System.Data.Common;
using Xref.Storage;
using Xref.Subjects;
using Xref.Wire;

namespace Xref.ExternalReferences;

/// <summary>The bulk paths of the store: <c>xref export</c> and <c>xref import</c>.</summary>
public sealed partial class ExternalReferenceStore
{
    /// <summary>Every reference (of one account, or all) in id order, handed to <paramref name="each"/> as it is read, in the caller's snapshot.</summary>
    public Task ExportAsync(DbConnection c, DbTransaction tx, long? accountId, Func<ExternalReference, Task> each, CancellationToken ct) => database.ForEachAsync(c, tx,
        $"SELECT {ExternalReference.Columns} FROM {Table} WHERE @account IS NULL OR account_id = @account ORDER BY id",
        new SqlParameters().Add("account", accountId, System.Data.DbType.Int64), ExternalReference.Reader, each, ct);

    /// <summary>
    /// Writes one batch of an import in one transaction, as create_or_update would write each line: a set-based bulk
    /// write where the database has one (<see cref="PostgresReferenceCopy"/>), then line by line for the rest.
    /// The batch holds each key at most once. <paramref name="onOutcome"/> hears what became of every line.
    /// </summary>
    public Task ImportAsync(IReadOnlyList<ImportRow> batch, Action<ImportRow, ImportOutcome> onOutcome, CancellationToken ct) =>
        database.WriteAsync(async (c, tx) =>
        {
            // An import restores or migrates data: it fires no webhook per line (issue 16, docs/dashboard.md).
            await database.RunAsync(c, tx, Webhooks.WebhookStore.Mute, ct);
            var accepted = await WithUsableIdsAsync(c, tx, batch, onOutcome, ct);
            var rest = await database.BulkWriteAsync(c, accepted, new PostgresReferenceCopy(onOutcome), ct);
            var subjectless = new List<ImportRow>();
            await UpsertEachAsync(c, tx, rest, row => row.CreateSubject && row.Input.SubjectType.Table == SubjectTable.Subjects ? subjectless : null, onOutcome, ct);
            // Lines of an auto_subjects account whose subject is missing: created, then written again, as create_or_update
            // does. Only the lines that failed pay for it, so a restore (whose subjects all exist) costs nothing more.
            if (subjectless.Count > 0)
            {
                var now = WireValues.Now(clock);
                foreach (var row in subjectless)
                    await subjects.CreateIfMissingAsync(c, tx, row.AccountId, row.Input.SubjectType, row.Input.SubjectId, now, ct);
                await UpsertEachAsync(c, tx, subjectless, _ => null, onOutcome, ct);
            }
            if (batch.Any(r => r.Id is not null)) await database.SyncIdentityAsync(c, tx, Table);
            await database.RunAsync(c, tx, Webhooks.WebhookStore.Unmute, ct);
            return 0;
        }, ct);

    /// <summary>The per-line upsert of <paramref name="rows"/>; a line whose subject is missing goes to the list <paramref name="retryIn"/> gives, if any.</summary>
    private Task UpsertEachAsync(DbConnection c, DbTransaction tx, IEnumerable<ImportRow> rows, Func<ImportRow, List<ImportRow>?> retryIn,
        Action<ImportRow, ImportOutcome> onOutcome, CancellationToken ct) =>
        database.RunEachAsync(c, tx, rows.Select(row => UpsertCommand.For(row.AccountId, row.Input, row.Times, row.Id, result =>
        {
            if (result is null && retryIn(row) is { } retry) retry.Add(row);
            else onOutcome(row, result switch
            {
                null => ImportOutcome.SubjectNotInAccount,
                { Inserted: true } => ImportOutcome.Created,
                _ => ImportOutcome.Updated,
            });
        })), ct);

    /// <summary>After an import that wrote <paramref name="rows"/> rows; true when the database did work worth telling the operator (see <see cref="Database.AfterBulkLoadAsync"/>).</summary>
    public Task<bool> AfterImportAsync(long rows, CancellationToken ct) => database.AfterBulkLoadAsync(Table, rows, ct);

    /// <summary>
    /// A line's own <c>id</c> is kept when no other reference has it; an id held by a different reference (or
    /// given twice in one batch) rejects the line rather than failing the whole batch on the primary key.
    /// </summary>
    private async Task<List<ImportRow>> WithUsableIdsAsync(DbConnection c, DbTransaction tx, IReadOnlyList<ImportRow> batch,
        Action<ImportRow, ImportOutcome> onOutcome, CancellationToken ct)
    {
        var ids = batch.Where(r => r.Id is not null).Select(r => r.Id!.Value).ToList();
        if (ids.Count == 0) return [.. batch];
        var where = $"{database.InIds("id", "@ids")}";
        var holders = (await database.QueryAsync(c, tx, $"SELECT {ExternalReference.Columns} FROM {Table} WHERE {where}",
            new SqlParameters().Add("ids", database.IdsParameter(ids)), ExternalReference.Reader, ct)).ToDictionary(h => h.Id);
        var seen = new HashSet<long>();
        var accepted = new List<ImportRow>(batch.Count);
        foreach (var row in batch)
        {
            if (row.Id is { } id)
            {
                var sameKey = !holders.TryGetValue(id, out var holder)
                    || new ImportKey(holder.AccountId, holder.SubjectType, holder.SubjectId, holder.ServiceName) == row.Key;
                if (!sameKey || !seen.Add(id))
                {
                    onOutcome(row, ImportOutcome.IdTaken);
                    continue;
                }
            }
            accepted.Add(row);
        }
        return accepted;
    }
}
