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
        Environment.SetEnvironmentVariable("KANTATA_URL", kantata.BaseUrl.ToString());
        Environment.SetEnvironmentVariable("KANTATA_TOKEN", kantata.WriteToken);
        var output = new StringWriter();
        var previous = Console.Out;
        Console.SetOut(output);
        int exit;
        try
        {
            exit = await TrackerSync.Program.Main(["100", "101"]);
        }
        finally
        {
            Console.SetOut(previous);
            Environment.SetEnvironmentVariable("KANTATA_URL", null);
            Environment.SetEnvironmentVariable("KANTATA_TOKEN", null);
        }
        Assert.Equal(1, exit);
        Assert.Contains("Workspace 100: successful WEB-1", output.ToString());
        Assert.Contains("1 successful, 1 failed", output.ToString());
    }
}
