using System.CommandLine;
using Spectre.Console;
using Xref.Client;

namespace Xref.Cli;

/// <summary><c>xref remote refs list|get|upsert|delete|export</c>.</summary>
public static class RemoteReferenceCommands
{
    private static readonly Option<string> SubjectType = new("--subject-type") { Description = "Workspace, Story, TimeEntry… (required by the API)", Required = true };
    private static readonly Option<long?> SubjectId = new("--subject-id") { Description = "Only this subject" };
    private static readonly Option<string?> ServiceName = new("--service-name") { Description = "Only this service" };
    private static readonly Option<string?> ServiceModel = new("--service-model") { Description = "Only this external type" };
    private static readonly Option<string?> ServiceModelRef = new("--service-model-ref") { Description = "Only this external id" };
    private static readonly Option<SyncStatus?> Status = new("--status") { Description = "pending, successful or failed" };
    private static readonly Option<string?> ExternalStatus = new("--external-status") { Description = "Only this external status" };
    private static readonly Option<string?> Order = new("--order") { Description = "created_at:asc|desc or last_synced_at:asc|desc" };

    public static Command Commands()
    {
        var refs = new Command("refs", "External references: list, get, upsert, delete, export.");
        refs.Subcommands.Add(List());
        refs.Subcommands.Add(Get());
        refs.Subcommands.Add(Upsert());
        refs.Subcommands.Add(Delete());
        refs.Subcommands.Add(Export());
        return refs;
    }

    private static ExternalReferenceQuery Query(ParseResult parse) => new(parse.GetValue(SubjectType)!)
    {
        SubjectId = parse.GetValue(SubjectId), ServiceName = parse.GetValue(ServiceName), ServiceModel = parse.GetValue(ServiceModel),
        ServiceModelRef = parse.GetValue(ServiceModelRef), Status = parse.GetValue(Status), ExternalStatus = parse.GetValue(ExternalStatus),
        Order = RemoteCommands.ParseOrder<ExternalReferenceOrder>(parse.GetValue(Order)),
    };

    private static Command List()
    {
        var page = new Option<int?>("--page") { Description = "The page (from 1)" };
        var perPage = new Option<int?>("--per-page") { Description = "Records per page (at most 200)" };
        var all = new Option<bool>("--all") { Description = "Every page" };
        var subject = new Option<bool>("--include-subject") { Description = "Show each reference's subject" };
        var command = new Command("list", "List external references of one subject type.")
            { SubjectType, SubjectId, ServiceName, ServiceModel, ServiceModelRef, Status, ExternalStatus, Order, page, perPage, all, subject };
        command.SetAction((parse, ct) => RemoteCommands.GuardAsync(parse, async (client, output) =>
        {
            var query = Query(parse) with
            {
                Page = parse.GetValue(page), PerPage = parse.GetValue(perPage),
                Include = parse.GetValue(subject) ? ExternalReferenceIncludes.Subject : ExternalReferenceIncludes.None,
            };
            if (parse.GetValue(all))
            {
                var records = new List<ExternalReference>();
                var included = new List<Included>();
                await foreach (var each in client.ExternalReferences.ListPagesAsync(query, ct))
                {
                    records.AddRange(each.Records);
                    included.Add(each.Included);
                }
                List<ExternalReference> unique = [.. records.DistinctBy(r => r.Id)];
                output.References(unique, unique.Count, null, r => included.Select(i => i.SubjectOf(r)).FirstOrDefault(s => s is not null));
                return 0;
            }
            var result = await client.ExternalReferences.ListAsync(query, ct);
            output.References(result.Records, result.Count, result.Meta, result.Included.SubjectOf);
            return 0;
        }));
        return command;
    }

    private static Command Get()
    {
        var id = new Argument<long>("id") { Description = "The reference's id" };
        var command = new Command("get", "Show one external reference (the API lists by subject type: give it).") { id, SubjectType };
        command.SetAction((parse, ct) => RemoteCommands.GuardAsync(parse, async (client, output) =>
        {
            var found = await client.ExternalReferences.ListAsync(new ExternalReferenceQuery(parse.GetValue(SubjectType)!)
                { Only = [parse.GetValue(id)], Include = ExternalReferenceIncludes.Subject }, ct);
            if (found.Records.Count == 0) throw new CliException($"No {parse.GetValue(SubjectType)} reference {parse.GetValue(id)} in this account.");
            output.Reference(found.Records[0], found.Included.SubjectOf(found.Records[0]));
            return 0;
        }));
        return command;
    }

    private static Command Upsert()
    {
        var subjectId = new Option<long>("--subject-id") { Description = "The subject's id", Required = true };
        var serviceName = new Option<string>("--service-name") { Description = "The integration, such as jira", Required = true };
        var serviceModel = new Option<string>("--service-model") { Description = "The external type", Required = true };
        var serviceModelRef = new Option<string>("--service-model-ref") { Description = "The external id", Required = true };
        var link = new Option<string?>("--external-link") { Description = "A link to the external object" };
        var message = new Option<string?>("--external-message") { Description = "A message from the external system" };
        var locked = new Option<bool?>("--locked") { Description = "true or false" };
        var command = new Command("upsert", "Create the reference of (subject, service), or update the fields given (create_or_update).")
            { SubjectType, subjectId, serviceName, serviceModel, serviceModelRef, Status, link, ExternalStatus, message, locked };
        command.SetAction((parse, ct) => RemoteCommands.GuardAsync(parse, async (client, output) =>
        {
            var saved = await client.ExternalReferences.CreateOrUpdateAsync(new ExternalReferenceInput
            {
                SubjectType = parse.GetValue(SubjectType)!, SubjectId = parse.GetValue(subjectId), ServiceName = parse.GetValue(serviceName)!,
                ServiceModel = parse.GetValue(serviceModel)!, ServiceModelRef = parse.GetValue(serviceModelRef)!, Status = parse.GetValue(Status),
                ExternalLink = parse.GetValue(link), ExternalStatus = parse.GetValue(ExternalStatus), ExternalMessage = parse.GetValue(message),
                Locked = parse.GetValue(locked),
            }, ExternalReferenceIncludes.Subject, ct);
            output.Reference(saved.Record, saved.Included.SubjectOf(saved.Record));
            return 0;
        }));
        return command;
    }

    private static Command Delete()
    {
        var id = new Argument<long>("id") { Description = "The reference's id" };
        var command = new Command("delete", "Delete one external reference.") { id };
        command.SetAction((parse, ct) => RemoteCommands.GuardAsync(parse, async (client, output) =>
        {
            await client.ExternalReferences.DeleteAsync(parse.GetValue(id), ct);
            output.Deleted("external reference", parse.GetValue(id));
            return 0;
        }));
        return command;
    }

    private static Command Export()
    {
        var format = new Option<string>("--format") { Description = "jsonl or csv", DefaultValueFactory = _ => "jsonl" };
        format.AcceptOnlyFromAmong("jsonl", "csv");
        var file = new Option<FileInfo?>("--output") { Description = "Write here instead of standard output" };
        var command = new Command("export", "Write every matching reference as JSON Lines or CSV, page by page, with a progress bar on standard error.")
            { SubjectType, SubjectId, ServiceName, ServiceModel, ServiceModelRef, Status, ExternalStatus, Order, format, file };
        command.SetAction((parse, ct) => RemoteCommands.GuardAsync(parse, async (client, _) =>
        {
            var target = parse.GetValue(file);
            await using var stream = target is null ? Console.OpenStandardOutput() : target.Create();
            await using var writer = new ReferenceExportWriter(stream, parse.GetValue(format) == "csv");
            var progress = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            // A record that moves to a later page during the walk is written once (Xref.Client's ListAllAsync does the same).
            var seen = new HashSet<long>();
            await progress.Progress().AutoClear(false).StartAsync(async ctx =>
            {
                var task = ctx.AddTask("exporting references", maxValue: 1);
                await foreach (var page in client.ExternalReferences.ListPagesAsync(Query(parse), ct))
                {
                    task.MaxValue = Math.Max(1, page.Count);
                    foreach (var reference in page.Records)
                        if (seen.Add(reference.Id)) writer.Write(reference);
                    await writer.FlushAsync(ct);
                    task.Value = Math.Min(seen.Count, task.MaxValue);
                }
                task.Value = task.MaxValue;
            });
            Console.Error.WriteLine($"exported {seen.Count} references");
            return 0;
        }));
        return command;
    }
}
