using System.Text.Json;
using Spectre.Console;
using Xref.Client;

namespace Xref.Cli;

/// <summary>What the remote commands print: Spectre tables for people, or with <c>--json</c> the client's JSON of the records (a list is an array).</summary>
public sealed class RemoteOutput(bool json)
{
    public void References(IReadOnlyList<ExternalReference> records, long count, PageMeta? meta, Func<ExternalReference, KantataObject?> subject)
    {
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(records.ToList(), KantataJson.Default.ListExternalReference));
            return;
        }
        var table = new Table().AddColumns("id", "subject", "service", "model", "ref", "status", "external status", "last synced");
        foreach (var r in records)
            table.AddRow(Cells(r.Id.ToString(), Subject(r, subject(r)), r.ServiceName, r.ServiceModel, r.ServiceModelRef,
                r.Status.ToString().ToLowerInvariant(), r.ExternalStatus, Time(r.LastSyncedAt)));
        AnsiConsole.Write(table);
        Console.Out.WriteLine(Footer(records.Count, count, meta));
    }

    public void Reference(ExternalReference r, KantataObject? subject)
    {
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(r, KantataJson.Default.ExternalReference));
            return;
        }
        Fields(("id", r.Id.ToString()), ("subject", Subject(r, subject)), ("service_name", r.ServiceName), ("service_model", r.ServiceModel),
            ("service_model_ref", r.ServiceModelRef), ("status", r.Status.ToString().ToLowerInvariant()), ("external_link", r.ExternalLink),
            ("external_status", r.ExternalStatus), ("external_message", r.ExternalMessage), ("locked", r.Locked ? "true" : "false"),
            ("last_synced_at", Time(r.LastSyncedAt)), ("created_at", Time(r.CreatedAt)), ("updated_at", Time(r.UpdatedAt)));
    }

    public void Reports(IReadOnlyList<StatusReport> records, long count, PageMeta? meta)
    {
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(records.ToList(), KantataJson.Default.ListStatusReport));
            return;
        }
        var table = new Table().AddColumns("id", "workspace", "color", "description", "details", "updated");
        foreach (var r in records)
            table.AddRow(Cells(r.Id.ToString(), r.WorkspaceId.ToString(), Color(r.Color), r.Description,
                string.Join(", ", r.Details.Select(d => $"{d.Category} {Color(d.Color)}")), Time(r.UpdatedAt)));
        AnsiConsole.Write(table);
        Console.Out.WriteLine(Footer(records.Count, count, meta));
    }

    public void Report(StatusReport r, Included included)
    {
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(r, KantataJson.Default.StatusReport));
            return;
        }
        var workspace = included.WorkspaceOf(r);
        Fields([("id", r.Id.ToString()), ("workspace", workspace is null ? r.WorkspaceId.ToString() : $"{r.WorkspaceId} {workspace.Title}"),
            ("color", Color(r.Color)), ("description", r.Description),
            .. r.Details.Select(d => ($"detail {d.Category}", (string?)$"{Color(d.Color)} {d.Description}".TrimEnd())),
            .. included.ExternalReferencesOf(r).Select(x => ($"reference {x.Id}", (string?)$"{x.ServiceName} {x.ServiceModel} {x.ServiceModelRef} {x.Status.ToString().ToLowerInvariant()}")),
            ("created_at", Time(r.CreatedAt)), ("updated_at", Time(r.UpdatedAt))]);
    }

    public void Deleted(string what, long id)
    {
        if (!json) Console.Out.WriteLine($"deleted {what} {id}");
    }

    private static void Fields(params (string Name, string? Value)[] fields)
    {
        var grid = new Grid().AddColumn().AddColumn();
        foreach (var (name, value) in fields) grid.AddRow(Markup.Escape(name), Markup.Escape(value ?? ""));
        AnsiConsole.Write(grid);
    }

    private static string[] Cells(params string?[] values) => [.. values.Select(v => Markup.Escape(v ?? ""))];

    private static string Subject(ExternalReference r, KantataObject? subject) => subject switch
    {
        Subject { Title: { } title } => $"{r.SubjectType} {r.SubjectId} {title}",
        Subject { Name: { } name } => $"{r.SubjectType} {r.SubjectId} {name}",
        User { FullName: { } fullName } => $"{r.SubjectType} {r.SubjectId} {fullName}",
        _ => $"{r.SubjectType} {r.SubjectId}",
    };

    private static string Color(StatusColor color) => color.ToString().ToLowerInvariant();

    private static string? Time(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss");

    private static string Footer(int shown, long count, PageMeta? meta) =>
        meta is { PageCount: > 1 } m ? $"{shown} of {count} (page {m.PageNumber} of {m.PageCount})" : $"{shown} of {count}";
}
