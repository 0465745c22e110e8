using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xref.Testing;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.Client;

/// <summary><c>xref remote …</c> through the real binary, against a sandbox listening on a loopback port.</summary>
public sealed class RemoteCommandTests
{
    private static async Task<XrefProcess.Result> RunAsync(XrefSandbox kantata, params string[] args) =>
        await RunWithAsync(new() { ["XREF_BASE_URL"] = kantata.BaseUrl.ToString(), ["XREF_TOKEN"] = kantata.WriteToken }, args);

    /// <summary>As XrefProcess.RunAsync, with these environment variables (and no other XREF_ ones).</summary>
    private static async Task<XrefProcess.Result> RunWithAsync(Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "xref.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var name in new[] { "XREF_DATABASE", "XREF_BASE_URL", "XREF_TOKEN" }) start.Environment.Remove(name);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new XrefProcess.Result(process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task Refs_upsert_list_get_export_and_delete_over_HTTP()
    {
        await using var kantata = await XrefSandbox.StartAsync();
        var upsert = await XrefProcess.RunAsync("remote", "refs", "upsert", "--base-url", kantata.BaseUrl.ToString(), "--token", kantata.WriteToken,
            "--subject-type", "Workspace", "--subject-id", "100", "--service-name", "jira", "--service-model", "issue", "--service-model-ref", "WEB-1",
            "--status", "failed", "--external-message", "=HYPERLINK(\"x\")");
        Assert.True(upsert.ExitCode == 0, upsert.Error);
        Assert.Contains("Workspace 100 Website relaunch", upsert.Out);
        Assert.Contains("failed", upsert.Out);
        Assert.Equal(0, (await RunAsync(kantata, "remote", "refs", "upsert", "--subject-type", "Workspace", "--subject-id", "101", "--service-name",
            "jira", "--service-model", "issue", "--service-model-ref", "ERP-1", "--json")).ExitCode);

        var table = await RunAsync(kantata, "remote", "refs", "list", "--subject-type", "Workspace", "--include-subject");
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("ERP migration", table.Out);
        Assert.Contains("2 of 2", table.Out);
        var json = await RunAsync(kantata, "remote", "refs", "list", "--subject-type", "Workspace", "--status", "failed", "--json");
        var listed = JsonNode.Parse(json.Out)!.AsArray();
        Assert.Equal(("WEB-1", 1L), ((string)Assert.Single(listed)!["service_model_ref"]!, (long)listed[0]!["id"]!));
        var all = JsonNode.Parse((await RunAsync(kantata, "remote", "refs", "list", "--subject-type", "Workspace", "--all", "--per-page", "1", "--json")).Out)!.AsArray();
        Assert.Equal(2, all.Count);

        var get = await RunAsync(kantata, "remote", "refs", "get", "2", "--subject-type", "Workspace", "--json");
        Assert.Equal("ERP-1", (string)JsonNode.Parse(get.Out)!["service_model_ref"]!);

        var csv = Path.Combine(Path.GetTempPath(), $"xref-export-{Guid.NewGuid():N}.csv");
        try
        {
            var export = await RunAsync(kantata, "remote", "refs", "export", "--subject-type", "Workspace", "--format", "csv", "--output", csv, "--order", "created_at:asc");
            Assert.True(export.ExitCode == 0, export.Error);
            Assert.Contains("exported 2 references", export.Error);
            var lines = await File.ReadAllLinesAsync(csv);
            Assert.Equal("id,subject_type,subject_id,service_name,service_model,service_model_ref,status,external_link,external_status,external_message,locked,last_synced_at,created_at,updated_at", lines[0]);
            Assert.StartsWith("1,Workspace,100,jira,issue,WEB-1,failed,,,\"'=HYPERLINK(\"\"x\"\")\",false,", lines[1]);
            Assert.Equal(3, lines.Length);
        }
        finally
        {
            File.Delete(csv);
        }
        var jsonl = await RunAsync(kantata, "remote", "refs", "export", "--subject-type", "Workspace", "--order", "created_at:asc");
        Assert.Equal([1L, 2L], jsonl.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetInt64()));

        Assert.Equal((0, "deleted external reference 1"), await Outcome(RunAsync(kantata, "remote", "refs", "delete", "1")));
        var again = await RunAsync(kantata, "remote", "refs", "delete", "1");
        Assert.Equal((1, "xref: Kantata answered 404 NotFound: Record not found"), (again.ExitCode, again.Error.Trim()));
        var missing = await RunAsync(kantata, "remote", "refs", "get", "1", "--subject-type", "Workspace");
        Assert.Equal((1, "xref: No Workspace reference 1 in this account."), (missing.ExitCode, missing.Error.Trim()));
    }

    [Fact]
    public async Task Reports_create_list_get_update_delete_and_what_is_wrong_is_said()
    {
        await using var kantata = await XrefSandbox.StartAsync();
        var created = await RunAsync(kantata, "remote", "reports", "create", "--workspace-id", "100", "--color", "yellow", "--description", "Late",
            "--detail", "Schedule:red:two weeks", "--detail", "Budget:green", "--service-name", "jira", "--service-model", "epic", "--service-model-ref", "WEB-2", "--json");
        Assert.True(created.ExitCode == 0, created.Error);
        var report = JsonNode.Parse(created.Out)!;
        Assert.Equal(("yellow", "Schedule", "red", "two weeks"), ((string)report["color"]!, (string)report["details"]![0]!["category"]!,
            (string)report["details"]![0]!["color"]!, (string)report["details"]![0]!["description"]!));

        var shown = await RunAsync(kantata, "remote", "reports", "get", "1");
        Assert.Contains("Website relaunch", shown.Out);
        Assert.Contains("jira epic WEB-2 pending", shown.Out);
        var updated = await RunAsync(kantata, "remote", "reports", "update", "1", "--color", "green", "--detail", "Scope:green", "--json");
        Assert.Equal(("green", 1), ((string)JsonNode.Parse(updated.Out)!["color"]!, JsonNode.Parse(updated.Out)!["details"]!.AsArray().Count));
        var list = await RunAsync(kantata, "remote", "reports", "list", "--workspace-id", "100", "--include", "workspace,creator");
        Assert.Contains("1 of 1", list.Out);
        Assert.Equal((0, "deleted status report 1"), await Outcome(RunAsync(kantata, "remote", "reports", "delete", "1")));

        var invalid = await RunAsync(kantata, "remote", "reports", "create", "--workspace-id", "999", "--color", "red", "--description", "x");
        Assert.Equal(1, invalid.ExitCode);
        Assert.StartsWith("xref: Kantata answered 422 UnprocessableEntity: workspace_id: ", invalid.Error);
        var badDetail = await RunAsync(kantata, "remote", "reports", "create", "--workspace-id", "100", "--color", "red", "--description", "x", "--detail", "Mood:red");
        Assert.Equal((1, "xref: --detail 'Mood:red' is not Category:color[:text] (categories Scope, Budget, Schedule, Client; colors green, yellow, red)."),
            (badDetail.ExitCode, badDetail.Error.Trim()));
        var noToken = await RunWithAsync(new() { ["XREF_BASE_URL"] = kantata.BaseUrl.ToString() }, "remote", "reports", "list");
        Assert.Equal((1, "xref: Give --token (or XREF_TOKEN): a bearer token of the server."), (noToken.ExitCode, noToken.Error.Trim()));
        var wrongToken = await RunAsync(kantata, "remote", "reports", "list", "--token", "nope");
        Assert.Equal((1, "xref: Kantata answered 401 Unauthorized: Invalid OAuth 2 Request"), (wrongToken.ExitCode, wrongToken.Error.Trim()));
        var badOrder = await RunAsync(kantata, "remote", "refs", "list", "--subject-type", "Workspace", "--order", "title:asc");
        Assert.Equal((1, "xref: --order 'title:asc' is not one of last_synced_at:desc, last_synced_at:asc, created_at:asc, created_at:desc."),
            (badOrder.ExitCode, badOrder.Error.Trim()));
    }

    private static async Task<(int, string)> Outcome(Task<XrefProcess.Result> run)
    {
        var result = await run;
        return (result.ExitCode, result.Out.Trim());
    }
}
