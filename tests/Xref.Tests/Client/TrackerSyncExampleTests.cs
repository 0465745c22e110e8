using System.Diagnostics;
using TrackerSync;
using Xref.Client;
using Xref.Testing;

namespace Xref.Tests.Client;

/// <summary>The example sync program of examples/TrackerSync, against the sandbox.</summary>
public sealed class TrackerSyncExampleTests
{
    [Fact]
    public async Task The_sync_moves_each_reference_from_pending_to_successful_or_failed_and_a_rerun_duplicates_nothing()
    {
        await using var kantata = await XrefSandbox.StartAsync();
        var tracker = new FakeTracker { ArchivedProjects = { "ERP migration" } };
        var sync = new WorkspaceSync(kantata.Client, tracker);
        Assert.Equal(new WorkspaceSync.Outcome(1, 1), await sync.RunAsync([100, 101]));

        var refs = await kantata.Client.ExternalReferences.ListAsync(new ExternalReferenceQuery(SubjectTypes.Workspace) { Order = ExternalReferenceOrder.CreatedAtAsc });
        Assert.Equal([(100L, SyncStatus.Successful, "WEB-1", "https://tracker.example/browse/WEB-1", (string?)null),
                      (101L, SyncStatus.Failed, "workspace-101", null, "Project 'ERP migration' is archived in the tracker; issues cannot be created.")],
            refs.Records.Select(r => (r.SubjectId, r.Status, r.ServiceModelRef!, r.ExternalLink, r.ExternalMessage)));
        Assert.Equal("Website relaunch", tracker.Issues["WEB-1"]);

        // Once the tracker accepts the project, a rerun retries the failed one and keeps one reference per workspace.
        tracker.ArchivedProjects.Clear();
        Assert.Equal(new WorkspaceSync.Outcome(2, 0), await sync.RunAsync([100, 101]));
        var after = await kantata.Client.ExternalReferences.ListAsync(new ExternalReferenceQuery(SubjectTypes.Workspace));
        Assert.Equal(2, after.Count);
        Assert.All(after.Records, r => Assert.Equal(SyncStatus.Successful, r.Status));
    }

    [Fact]
    public async Task The_program_runs_from_its_entry_point()
    {
        await using var kantata = await XrefSandbox.StartAsync();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "TrackerSync.dll"), "100", "101" }) start.ArgumentList.Add(arg);
        start.Environment["KANTATA_URL"] = kantata.BaseUrl.ToString();
        start.Environment["KANTATA_TOKEN"] = kantata.WriteToken;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 1, await error); // 1: a sync failed
        Assert.Equal(["Workspace 100: successful WEB-1",
                      "Workspace 101: failed workspace-101 Project 'ERP migration' is archived in the tracker; issues cannot be created.",
                      "1 successful, 1 failed"], (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
