using System.Text.Json.Nodes;
using Xref.Accounts;
using Xref.ExternalReferences;
using Xref.Wire;

namespace Xref.BulkData;

/// <summary>
/// The external references of an import, one <c>external_reference</c> object per line, validated and upserted
/// exactly as create_or_update does (a missing subject is created when the account has auto_subjects), in
/// transactions of <c>batchSize</c> lines. A line may also carry <c>id</c>, <c>account_id</c>, <c>created_at</c>,
/// <c>updated_at</c> and <c>last_synced_at</c> (what <c>xref export</c> writes), so an export restores exactly. A key
/// seen twice ends the batch before its second line, so every batch holds each key once and a set-based write
/// (<see cref="ExternalReferences.PostgresReferenceCopy"/>) gives the same result as line after line.
/// Lines are handed in one by one (<see cref="AddAsync"/>) by <see cref="DatabaseImporter"/>.
/// </summary>
public sealed class ReferenceImporter(ExternalReferenceStore references, AccountStore accounts, TimeProvider clock, ImportSummary summary,
    long? accountId, int batchSize, CancellationToken ct)
{
    private BatchWriter? batchWriter;
    private readonly Dictionary<long, Account?> knownAccounts = [];
    private List<ImportRow> batch = new(batchSize);
    private HashSet<ImportKey> keys = [];

    private BatchWriter Batches => batchWriter ??= new(WriteAsync);

    /// <summary>After the import: what the database does after a bulk load; true when it did something (the CLI says so).</summary>
    public Task<bool> AfterImportAsync() => references.AfterImportAsync(summary.Created + summary.Updated, ct);

    public async Task AddAsync(long line, JsonObject value)
    {
        if (await ParseAsync(line, value) is not { } row) return;
        if (!keys.Contains(row.Key) && batch.Count < batchSize)
        {
            keys.Add(row.Key);
            batch.Add(row);
            return;
        }
        await Batches.StartAsync(batch);
        batch = [row];
        keys = [row.Key];
    }

    /// <summary>Writes the lines held back and waits for every batch to commit (before records of another type are written).</summary>
    public async Task FlushAsync()
    {
        if (batch.Count > 0)
        {
            await Batches.StartAsync(batch);
            batch = new(batchSize);
            keys = [];
        }
        await Batches.FinishAsync();
    }

    /// <summary>After a failure: lets the batch in flight end before the caller rethrows.</summary>
    public Task AbandonAsync() => Batches.AbandonAsync();

    /// <summary>Forgets the accounts looked up so far (account records were written since).</summary>
    public void ForgetAccounts() => knownAccounts.Clear();

    /// <summary>
    /// Writes one batch in the background while the next is parsed, so reading and validating lines (the
    /// importer's own CPU) overlaps the database's work; at most one batch is in flight, so batches commit
    /// in file order. Task.Run because SQLite's async calls complete synchronously. On SQLite it gains nothing
    /// measured (80-90 µs per row are spent inside SQLite, as much as Python's sqlite3 takes for the same statement);
    /// on PostgreSQL it is part of the import's 2.6-3.4 times speed-up, not measured on its own.
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

        public async Task AbandonAsync()
        {
            try { await inFlight; }
            catch (Exception) { /* the failure already being reported comes first */ }
        }
    }

    private async Task<ImportRow?> ParseAsync(long line, JsonObject value)
    {
        string? error = null;
        var account = accountId ?? JsonLines.Id(value, "account_id", out error);
        if (account is not { } id)
        {
            summary.Reject(line, error ?? "account_id is missing; give it on the line or pass --account.");
            return null;
        }
        if (!knownAccounts.TryGetValue(id, out var found)) knownAccounts[id] = found = await accounts.FindAccountAsync(id, ct);
        if (found is null)
        {
            summary.Reject(line, AccountStore.MissingAccount(WireValues.Id(id)));
            return null;
        }
        var referenceId = JsonLines.Id(value, "id", out var idError);
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
            return new ImportRow(line, id, input, new UpsertTimes(created ?? now, updated ?? now, synced ?? now, created is not null), referenceId,
                CreateSubject: found.AutoSubjects);
        }
        catch (ApiException e)
        {
            summary.Reject(line, string.Join(" ", e.Errors.Select(x => x.Message)));
            return null;
        }
    }

    // Reasons name the subject type and account, not the line's own ids, so that one mistake is one group of lines.
    private Task WriteAsync(List<ImportRow> batch) =>
        references.ImportAsync(batch, (row, outcome) =>
        {
            switch (outcome)
            {
                case ImportOutcome.Created: summary.AddCreated(); break;
                case ImportOutcome.Updated: summary.AddUpdated(); break;
                case ImportOutcome.IdTaken: summary.Reject(row.Line, "id is already used by another external reference (of another subject or service)."); break;
                default:
                    summary.Reject(row.Line, $"subject_id: the {row.Input.SubjectType.Name} does not exist in account {row.AccountId}: import the subjects first (subject ids are per account).");
                    break;
            }
        }, ct);
}
