using System.CommandLine;
using System.Data.Common;
using Spectre.Console;
using Xref.BulkData;

namespace Xref.Cli;

/// <summary><c>xref import</c> and <c>xref export</c>: a whole database (or one account) as JSON Lines, out and back in (docs/export.md).</summary>
public static class DataCommands
{
    public static Command Import()
    {
        var file = new Argument<FileInfo>("file") { Description = "JSON Lines written by `xref export` (or external_reference objects alone)" };
        var account = new Option<long?>("--account") { Description = "Import references into this account (else each line's account_id); other accounts' records are rejected" };
        var subjects = new Option<FileInfo?>("--subjects") { Description = "JSON Lines of subjects ({\"type\", \"id\", ...}) to load first" };
        // 5,000 lines per transaction: large enough that commits are a small share of an import, small enough that a
        // rejected batch of the PostgreSQL bulk path is cheap to redo line by line. Chosen, not tuned by measurement.
        var batchSize = new Option<int>("--batch-size") { Description = "Lines per transaction", DefaultValueFactory = _ => 5000 };
        var command = new Command("import", "Restore an export (into an empty database: exactly), or upsert references as create_or_update does.")
            { file, account, subjects, batchSize };
        command.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var xref = await XrefCli.OpenAsync(parse, ct);
            var size = Math.Max(1, parse.GetValue(batchSize));
            var started = DateTime.UtcNow;
            var failed = false;
            if (parse.GetValue(subjects) is { } subjectFile)
            {
                var importer = new SubjectImporter(xref.Accounts, xref.Subjects, TimeProvider.System);
                var summary = await WithProgressAsync(subjectFile, "subjects", (reader, progress) =>
                    importer.ImportAsync(reader, parse.GetValue(account), size, progress, ct));
                failed |= Report(summary, $"{summary.Created} imported, {summary.Updated} updated");
            }
            var records = new DatabaseImporter(xref.Database, xref.Accounts, xref.References, TimeProvider.System);
            DatabaseImporter.Result result;
            try
            {
                result = await WithProgressAsync(parse.GetValue(file)!, "records", (reader, progress) =>
                    records.ImportAsync(reader, parse.GetValue(account), size, progress, ct));
            }
            catch (DbException e)
            {
                throw new CliException($"the import stopped: {e.Message} (the batches before it are committed; the import can be run again).");
            }
            // References are upserted (created or updated); other records are inserted or found identical (unchanged).
            foreach (var summary in result.Summaries)
                failed |= Report(summary, $"{summary.Created} created, " +
                    (summary.What == "references" ? $"{summary.Updated} updated" : $"{summary.Unchanged} unchanged"));
            if (result.TidiedAfterBulkLoad)
                Console.Out.WriteLine("refreshed the planner's statistics and visibility map after a bulk load");
            Console.Out.WriteLine($"done in {(DateTime.UtcNow - started).TotalSeconds:F1} s");
            return failed ? 2 : 0;
        }));
        return command;
    }

    public static Command Export()
    {
        var account = new Option<long?>("--account") { Description = "Only this account, completely (its users, subjects, reports, references)" };
        var output = new Option<FileInfo?>("--output") { Description = "Write here instead of standard output" };
        var tokens = new Option<bool>("--include-tokens") { Description = "Also the API tokens' and applications' hashes (never a token itself): the restored database lets the same tokens in" };
        var command = new Command("export", "Write the database (or one account) as JSON Lines that `xref import` restores exactly.") { account, output, tokens };
        command.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var xref = await XrefCli.OpenAsync(parse, ct);
            var accountId = parse.GetValue(account);
            if (accountId is { } id && !await xref.Accounts.AccountExistsAsync(id, ct))
                throw new CliException($"account {id} does not exist (`xref accounts list` shows them).");
            var target = parse.GetValue(output);
            await using var stream = target is null ? Console.OpenStandardOutput() : target.Create();
            var counts = await new DatabaseExporter(xref.Database, xref.References).ExportAsync(stream, accountId, parse.GetValue(tokens), ct);
            Console.Error.WriteLine($"exported: {string.Join(", ", counts.Select(c => $"{c.What} {c.Count}"))}");
            return 0;
        }));
        return command;
    }

    private static async Task<T> WithProgressAsync<T>(FileInfo file, string what, Func<TextReader, Action<long>, Task<T>> run)
    {
        if (!file.Exists) throw new CliException($"{file.FullName} does not exist.");
        using var reader = new StreamReader(file.FullName);
        T? result = default;
        await AnsiConsole.Progress().AutoClear(false).StartAsync(async ctx =>
        {
            var task = ctx.AddTask($"importing {what}", maxValue: Math.Max(1, file.Length));
            // The bar is redrawn a few times a second; adding every line's bytes to it would cost more than the line.
            long pending = 0;
            result = await run(reader, bytes =>
            {
                if ((pending += bytes) < 1 << 20) return;
                task.Increment(pending);
                pending = 0;
            });
            task.Value = task.MaxValue;
        });
        return result!;
    }

    /// <summary>
    /// Prints the counts and the rejected lines grouped by reason: a reason met once or a few times lists its lines
    /// (<c>line 7: ...</c>, <c>lines 7, 9: ...</c>), a frequent one its count and first lines. True when any line was rejected.
    /// </summary>
    private static bool Report(ImportSummary summary, string counts)
    {
        Console.Out.WriteLine($"{summary.What}: {counts}, {summary.RejectedCount} rejected");
        foreach (var rejection in summary.Rejections)
        {
            var lines = string.Join(", ", rejection.FirstLines);
            Console.Out.WriteLine(rejection.Count switch
            {
                1 => $"  line {lines}: {rejection.Reason}",
                <= ImportSummary.LinesPerReason => $"  lines {lines}: {rejection.Reason}",
                _ => $"  {rejection.Count} lines (first {lines}): {rejection.Reason}",
            });
        }
        if (summary.UnlistedRejections > 0)
            Console.Out.WriteLine($"  {summary.UnlistedRejections} more lines for other reasons (only the first {ImportSummary.MaxReasons} reasons are listed)");
        return summary.RejectedCount > 0;
    }
}
