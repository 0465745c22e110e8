using System.CommandLine;
using Spectre.Console;
using Xref.BulkData;

namespace Xref.Cli;

/// <summary><c>xref import</c> and <c>xref export</c>: JSON Lines in and out.</summary>
public static class DataCommands
{
    public static Command Import()
    {
        var file = new Argument<FileInfo>("file") { Description = "JSON Lines of external_reference objects" };
        var account = new Option<long?>("--account") { Description = "Import into this account (else each line's account_id)" };
        var subjects = new Option<FileInfo?>("--subjects") { Description = "JSON Lines of subjects ({\"type\", \"id\", ...}) to load first" };
        // 5,000 lines per transaction: large enough that commits are a small share of an import, small enough that a
        // rejected batch of the PostgreSQL bulk path is cheap to redo line by line. Chosen, not tuned by measurement.
        var batchSize = new Option<int>("--batch-size") { Description = "Lines per transaction", DefaultValueFactory = _ => 5000 };
        var command = new Command("import", "Import references (and subjects) from JSON Lines, upserting as create_or_update does.")
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
                failed |= Report("subjects", summary, imported: "imported");
            }
            var references = new ReferenceImporter(xref.References, TimeProvider.System);
            var result = await WithProgressAsync(parse.GetValue(file)!, "references", (reader, progress) =>
                references.ImportAsync(reader, parse.GetValue(account), size, progress, ct));
            failed |= Report("references", result, imported: "created");
            if (await references.AfterImportAsync(result, ct))
                Console.Out.WriteLine("refreshed the planner's statistics and visibility map after a bulk load");
            Console.Out.WriteLine($"done in {(DateTime.UtcNow - started).TotalSeconds:F1} s");
            return failed ? 2 : 0;
        }));
        return command;
    }

    public static Command Export()
    {
        var account = new Option<long?>("--account") { Description = "Only this account's references" };
        var output = new Option<FileInfo?>("--output") { Description = "Write here instead of standard output" };
        var command = new Command("export", "Write external references as JSON Lines that `xref import` restores exactly.") { account, output };
        command.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var xref = await XrefCli.OpenAsync(parse, ct);
            var target = parse.GetValue(output);
            await using var stream = target is null ? Console.OpenStandardOutput() : target.Create();
            var count = await new ReferenceExporter(xref.References).ExportAsync(stream, parse.GetValue(account), ct);
            Console.Error.WriteLine($"exported {count} references");
            return 0;
        }));
        return command;
    }

    private static async Task<ImportSummary> WithProgressAsync(FileInfo file, string what, Func<TextReader, Action<long>, Task<ImportSummary>> run)
    {
        if (!file.Exists) throw new CliException($"{file.FullName} does not exist.");
        using var reader = new StreamReader(file.FullName);
        ImportSummary? summary = null;
        await AnsiConsole.Progress().AutoClear(false).StartAsync(async ctx =>
        {
            var task = ctx.AddTask($"importing {what}", maxValue: Math.Max(1, file.Length));
            // The bar is redrawn a few times a second; adding every line's bytes to it would cost more than the line.
            long pending = 0;
            summary = await run(reader, bytes =>
            {
                if ((pending += bytes) < 1 << 20) return;
                task.Increment(pending);
                pending = 0;
            });
            task.Value = task.MaxValue;
        });
        return summary!;
    }

    /// <summary>Prints the summary and the rejected lines; true when any line was rejected.</summary>
    private static bool Report(string what, ImportSummary summary, string imported)
    {
        Console.Out.WriteLine($"{what}: {summary.Created} {imported}, {summary.Updated} updated, {summary.RejectedCount} rejected");
        foreach (var (line, reason) in summary.Rejected)
            Console.Out.WriteLine($"  line {line}: {reason}");
        if (summary.RejectedCount > summary.Rejected.Count)
            Console.Out.WriteLine($"  ... and {summary.RejectedCount - summary.Rejected.Count} more rejected lines");
        return summary.RejectedCount > 0;
    }
}
