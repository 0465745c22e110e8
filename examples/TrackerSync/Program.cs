using Xref.Client;

namespace TrackerSync;

/// <summary>
/// <c>dotnet run --project examples/TrackerSync -- 100 101</c> with <c>KANTATA_URL</c> (an Xref, or
/// https://api.mavenlink.com/api/v1) and <c>KANTATA_TOKEN</c>: syncs those workspaces to the fake tracker and prints
/// the references.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (Environment.GetEnvironmentVariable("KANTATA_URL") is not { } url || Environment.GetEnvironmentVariable("KANTATA_TOKEN") is not { } token)
        {
            Console.Error.WriteLine("Set KANTATA_URL and KANTATA_TOKEN, and give workspace ids: TrackerSync 100 101");
            return 2;
        }
        var kantata = new KantataClient(new Uri(url), token);
        var tracker = new FakeTracker { ArchivedProjects = { "ERP migration" } };
        try
        {
            var outcome = await new WorkspaceSync(kantata, tracker).RunAsync(args.Select(long.Parse));
            await foreach (var r in kantata.ExternalReferences.ListAllAsync(new ExternalReferenceQuery(SubjectTypes.Workspace) { ServiceName = WorkspaceSync.Service, Order = ExternalReferenceOrder.CreatedAtAsc }))
                Console.WriteLine($"Workspace {r.SubjectId}: {r.Status.ToString().ToLowerInvariant()} {r.ServiceModelRef} {r.ExternalMessage}".TrimEnd());
            Console.WriteLine($"{outcome.Successful} successful, {outcome.Failed} failed");
            return outcome.Failed == 0 ? 0 : 1;
        }
        catch (KantataApiException e)
        {
            // e.Status and e.Errors (type, message, field) say what Kantata refused.
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }
}
