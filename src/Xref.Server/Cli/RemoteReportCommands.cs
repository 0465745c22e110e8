using System.CommandLine;
using Xref.Client;

namespace Xref.Cli;

/// <summary><c>xref remote reports list|get|create|update|delete</c>.</summary>
public static class RemoteReportCommands
{
    private static readonly Option<string?> Include = new("--include") { Description = "creator,updater,workspace,external_references" };

    public static Command Commands()
    {
        var reports = new Command("reports", "Status reports: list, get, create, update, delete.");
        reports.Subcommands.Add(List());
        reports.Subcommands.Add(Get());
        reports.Subcommands.Add(Write(create: true));
        reports.Subcommands.Add(Write(create: false));
        reports.Subcommands.Add(Delete());
        return reports;
    }

    private static Command List()
    {
        var workspace = new Option<long?>("--workspace-id") { Description = "Only this workspace's reports" };
        var service = new Option<string?>("--service-name") { Description = "Only reports with a reference of this service (external_reference_service_name)" };
        var status = new Option<SyncStatus?>("--status") { Description = "…whose status is this (external_reference_status)" };
        var order = new Option<string?>("--order") { Description = "created_at:asc|desc or updated_at:asc|desc" };
        var page = new Option<int?>("--page") { Description = "The page (from 1)" };
        var perPage = new Option<int?>("--per-page") { Description = "Records per page (at most 200)" };
        var all = new Option<bool>("--all") { Description = "Every page" };
        var command = new Command("list", "List status reports.") { workspace, service, status, order, page, perPage, all, Include };
        command.SetAction((parse, ct) => RemoteCommands.GuardAsync(parse, async (client, output) =>
        {
            var query = new StatusReportQuery
            {
                WorkspaceId = parse.GetValue(workspace), ExternalReferenceServiceName = parse.GetValue(service),
                ExternalReferenceStatus = parse.GetValue(status), Order = RemoteCommands.ParseOrder<StatusReportOrder>(parse.GetValue(order)),
                Page = parse.GetValue(page), PerPage = parse.GetValue(perPage), Include = Includes(parse),
            };
            if (parse.GetValue(all))
            {
                var records = new List<StatusReport>();
                await foreach (var report in client.StatusReports.ListAllAsync(query, ct)) records.Add(report);
                output.Reports(records, records.Count, null);
                return 0;
            }
            var result = await client.StatusReports.ListAsync(query, ct);
            output.Reports(result.Records, result.Count, result.Meta);
            return 0;
        }));
        return command;
    }

    private static Command Get()
    {
        var id = new Argument<long>("id") { Description = "The report's id" };
        var command = new Command("get", "Show one status report.") { id, Include };
        command.SetAction((parse, ct) => RemoteCommands.GuardAsync(parse, async (client, output) =>
        {
            var result = await client.StatusReports.GetAsync(parse.GetValue(id), Includes(parse, StatusReportIncludes.Workspace | StatusReportIncludes.ExternalReferences), ct);
            output.Report(result.Record, result.Included);
            return 0;
        }));
        return command;
    }

    /// <summary><c>create --workspace-id W --color C --description D</c> or <c>update ID [--color] [--description]</c>; both take <c>--detail Category:color[:text]</c> and a nested reference.</summary>
    private static Command Write(bool create)
    {
        var id = new Argument<long>("id") { Description = "The report's id" };
        var workspace = new Option<long?>("--workspace-id") { Description = "The workspace reported on", Required = create };
        var color = new Option<StatusColor?>("--color") { Description = "green, yellow or red", Required = create };
        var description = new Option<string?>("--description") { Description = "The report's text", Required = create };
        var details = new Option<string[]>("--detail") { Description = "Category:color[:text], such as Budget:red:over by 10% (repeat; replaces all)", AllowMultipleArgumentsPerToken = false };
        var service = new Option<string?>("--service-name") { Description = "A nested external reference: its service (with --service-model and --service-model-ref)" };
        var model = new Option<string?>("--service-model") { Description = "The nested reference's external type" };
        var reference = new Option<string?>("--service-model-ref") { Description = "The nested reference's external id" };
        var status = new Option<SyncStatus?>("--status") { Description = "The nested reference's status" };
        var command = create
            ? new Command("create", "Create a status report (and a nested external reference, in one transaction).") { workspace, color, description, details, service, model, reference, status }
            : new Command("update", "Change a status report's fields (the workspace cannot change).") { id, color, description, details, service, model, reference, status };
        command.SetAction((parse, ct) => RemoteCommands.GuardAsync(parse, async (client, output) =>
        {
            var input = new StatusReportInput
            {
                WorkspaceId = parse.GetValue(workspace), Color = parse.GetValue(color), Description = parse.GetValue(description),
                Details = parse.GetValue(details) is { Length: > 0 } given ? [.. given.Select(ParseDetail)] : null,
                ExternalReference = parse.GetValue(service) is { } name
                    ? new StatusReportReferenceInput
                    {
                        ServiceName = name, ServiceModel = parse.GetValue(model) ?? throw new CliException("--service-name needs --service-model."),
                        ServiceModelRef = parse.GetValue(reference) ?? throw new CliException("--service-name needs --service-model-ref."),
                        Status = parse.GetValue(status),
                    }
                    : null,
            };
            const StatusReportIncludes shown = StatusReportIncludes.Workspace | StatusReportIncludes.ExternalReferences;
            var result = create
                ? await client.StatusReports.CreateAsync(input, shown, ct)
                : await client.StatusReports.UpdateAsync(parse.GetValue(id), input, shown, ct);
            output.Report(result.Record, result.Included);
            return 0;
        }));
        return command;
    }

    private static Command Delete()
    {
        var id = new Argument<long>("id") { Description = "The report's id" };
        var command = new Command("delete", "Delete a status report and its external references.") { id };
        command.SetAction((parse, ct) => RemoteCommands.GuardAsync(parse, async (client, output) =>
        {
            await client.StatusReports.DeleteAsync(parse.GetValue(id), ct);
            output.Deleted("status report", parse.GetValue(id));
            return 0;
        }));
        return command;
    }

    private static StatusDetail ParseDetail(string text)
    {
        var parts = text.Split(':', 3);
        if (parts.Length < 2 || !Enum.TryParse<StatusCategory>(parts[0], true, out var category) || !Enum.TryParse<StatusColor>(parts[1], true, out var color))
            throw new CliException($"--detail '{text}' is not Category:color[:text] (categories Scope, Budget, Schedule, Client; colors green, yellow, red).");
        return new StatusDetail(category, color, parts.Length == 3 ? parts[2] : null);
    }

    private static StatusReportIncludes Includes(ParseResult parse, StatusReportIncludes fallback = StatusReportIncludes.None)
    {
        if (parse.GetValue(Include) is not { } text) return fallback;
        var include = StatusReportIncludes.None;
        foreach (var name in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            include |= Enum.TryParse<StatusReportIncludes>(name.Replace("_", ""), true, out var one) ? one
                : throw new CliException($"--include '{name}' is not one of creator, updater, workspace, external_references.");
        return include;
    }
}
