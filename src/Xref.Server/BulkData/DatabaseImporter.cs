using System.Text.Json.Nodes;
using Xref.Accounts;
using Xref.ExternalReferences;
using Xref.Storage;
using Xref.Subjects;

namespace Xref.BulkData;

/// <summary>
/// <c>xref import</c>: a file in the format of <see cref="ExportFormat"/> (or of version 1: references only), read
/// as a stream. Records are written in batches of one type, each batch one transaction, in file order; references
/// take the fast path of <see cref="ReferenceImporter"/>. Records other than references are inserted with their own
/// ids and timestamps and never overwrite: one already stored with the same values is counted unchanged (so an
/// import can be run again), one that differs is rejected. References are upserted as create_or_update does, as
/// they always were. <c>--account N</c> imports references into account N (version 1's meaning) and rejects the
/// other records of any other account.
/// </summary>
public sealed class DatabaseImporter(Database database, AccountStore accounts, ExternalReferenceStore references, TimeProvider clock)
{
    /// <summary>What an import did: one summary per record type met (references always), and whether the database was tidied after a bulk load.</summary>
    public sealed record Result(IReadOnlyList<ImportSummary> Summaries, bool TidiedAfterBulkLoad);

    public async Task<Result> ImportAsync(TextReader reader, long? accountId, int batchSize, Action<long>? progress, CancellationToken ct)
    {
        var summaries = ExportFormat.Records.ToDictionary(r => r.Name, r => new ImportSummary(r.Plural));
        var referenceSummary = new ImportSummary("references");
        var referenceLines = new ReferenceImporter(references, accounts, clock, referenceSummary, accountId, batchSize, ct);
        var pending = new List<(long Line, object?[] Values)>();
        RecordType? pendingType = null;
        var lastIds = new Dictionary<string, long>();

        async Task WritePendingAsync()
        {
            if (pendingType is not { } type || pending.Count == 0) return;
            var rows = pending.ToList();
            var summary = summaries[type.Name];
            await database.WriteAsync(async (c, tx) =>
            {
                await type.Table.RestoreAsync(database, c, tx, [.. rows.Select(r => r.Values)], (i, outcome, reason) =>
                {
                    switch (outcome)
                    {
                        case RestoreOutcome.Created: summary.AddCreated(); break;
                        case RestoreOutcome.Unchanged: summary.AddUnchanged(); break;
                        default: summary.Reject(rows[i].Line, reason!); break;
                    }
                }, ct);
                return 0;
            }, ct);
            pending.Clear();
            if (type.Table == AccountStore.AccountsTable) referenceLines.ForgetAccounts();
        }

        try
        {
            await foreach (var (line, value, error) in JsonLines.ReadAsync(reader, progress, ct))
            {
                if (value is null)
                {
                    referenceSummary.Reject(line, error!);
                    continue;
                }
                var typeName = value["type"] is null ? ExportFormat.ReferenceType : JsonLines.String(value, "type");
                if (typeName == ExportFormat.ReferenceType)
                {
                    await WritePendingAsync();
                    await referenceLines.AddAsync(line, value);
                    continue;
                }
                if (typeName == ExportFormat.HeaderType)
                {
                    if (ReadHeader(value, lastIds) is { } problem) referenceSummary.Reject(line, problem);
                    continue;
                }
                if (typeName is null || ExportFormat.Find(typeName) is not { } type)
                {
                    referenceSummary.Reject(line, SubjectTypes.Find(typeName) is not null
                        ? $"type {typeName}: a subject line of `--subjects` files; pass the file with --subjects, or use type \"subject\" and subject_type."
                        : $"type must be one of {ExportFormat.TypeList}.");
                    continue;
                }
                var summary = summaries[type.Name];
                if (type.Read(value, out var readError) is not { } values)
                {
                    summary.Reject(line, readError!);
                    continue;
                }
                if (accountId is { } only && type.AccountOf(values) != only)
                {
                    summary.Reject(line, $"account_id: the {type.Name} belongs to account {type.AccountOf(values)}, not to --account {only}.");
                    continue;
                }
                await referenceLines.FlushAsync();
                if (pendingType != type || pending.Count >= batchSize) await WritePendingAsync();
                pendingType = type;
                pending.Add((line, values));
            }
            await WritePendingAsync();
            await referenceLines.FlushAsync();
        }
        catch
        {
            await referenceLines.AbandonAsync();
            throw;
        }
        if (lastIds.Count > 0)
            await database.WriteAsync(async (c, tx) =>
            {
                foreach (var (table, last) in lastIds) await database.RaiseLastIdAsync(c, tx, table, last, ct);
                return 0;
            }, ct);
        var tidied = await referenceLines.AfterImportAsync();
        return new Result([.. ExportFormat.Records.Select(r => summaries[r.Name]).Where(s => s.Seen > 0), referenceSummary], tidied);
    }

    /// <summary>Reads the header's <c>last_ids</c> (only tables the format names reach SQL); null, or what is wrong with it.</summary>
    private static string? ReadHeader(JsonObject header, Dictionary<string, long> lastIds)
    {
        if (header["version"] is not JsonValue v || !v.TryGetValue<int>(out var version) || version < 2 || version > ExportFormat.Version)
            return $"version: this Xref reads export files of version 2 or less (lines without \"type\" are version 1); this one says {header["version"]?.ToJsonString() ?? "nothing"}.";
        if (header["last_ids"] is not JsonObject ids) return "last_ids must be an object.";
        foreach (var (table, node) in ids)
        {
            if (!ExportFormat.IdentityTables.Contains(table)) return $"last_ids: unknown table \"{table}\".";
            if (node is not JsonValue n || !n.TryGetValue<long>(out var last) || last < 0) return $"last_ids: {table} must be a non-negative integer.";
            lastIds[table] = last;
        }
        return null;
    }
}
