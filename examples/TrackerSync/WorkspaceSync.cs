using Xref.Client;

namespace TrackerSync;

/// <summary>
/// Syncs Kantata workspaces to tracker issues in two passes, the way integrations report their progress in Kantata:
/// 1. claim: each workspace gets a <c>pending</c> reference of service <c>tracker</c> (create_or_update, so running
///    the sync again never duplicates one);
/// 2. push: every pending reference becomes an issue; the reference becomes <c>successful</c> with the issue's key and
///    link, or <c>failed</c> with the tracker's message.
/// </summary>
public sealed class WorkspaceSync(KantataClient kantata, FakeTracker tracker)
{
    public const string Service = "tracker";

    /// <summary>How a run ended.</summary>
    /// <param name="Successful">References now successful.</param>
    /// <param name="Failed">References now failed.</param>
    public sealed record Outcome(int Successful, int Failed);

    public async Task<Outcome> RunAsync(IEnumerable<long> workspaceIds, CancellationToken ct = default)
    {
        foreach (var id in workspaceIds)
        {
            await kantata.ExternalReferences.CreateOrUpdateAsync(new ExternalReferenceInput
            {
                SubjectType = SubjectTypes.Workspace, SubjectId = id, ServiceName = Service,
                ServiceModel = "issue", ServiceModelRef = $"workspace-{id}", Status = SyncStatus.Pending,
            }, ct);
        }

        int successful = 0, failed = 0;
        // Collect first, then write: each write moves a reference out of the pending listing being walked.
        var pending = new List<(ExternalReference Reference, string Title)>();
        var query = new ExternalReferenceQuery(SubjectTypes.Workspace)
        {
            ServiceName = Service, Status = SyncStatus.Pending, Order = ExternalReferenceOrder.CreatedAtAsc, Include = ExternalReferenceIncludes.Subject,
        };
        await foreach (var page in kantata.ExternalReferences.ListPagesAsync(query, ct))
            foreach (var reference in page.Records)
                pending.Add((reference, (page.Included.SubjectOf(reference) as Workspace)?.Title ?? $"Workspace {reference.SubjectId}"));

        foreach (var (reference, title) in pending)
        {
            ExternalReferenceInput update;
            try
            {
                var key = tracker.CreateIssue(title);
                update = new ExternalReferenceInput
                {
                    SubjectType = reference.SubjectType, SubjectId = reference.SubjectId, ServiceName = Service, ServiceModel = "issue",
                    ServiceModelRef = key, Status = SyncStatus.Successful, ExternalLink = FakeTracker.Link(key), ExternalStatus = "open",
                };
                successful++;
            }
            catch (TrackerException e)
            {
                update = new ExternalReferenceInput
                {
                    SubjectType = reference.SubjectType, SubjectId = reference.SubjectId, ServiceName = Service, ServiceModel = "issue",
                    ServiceModelRef = reference.ServiceModelRef!, Status = SyncStatus.Failed, ExternalMessage = e.Message,
                };
                failed++;
            }
            await kantata.ExternalReferences.CreateOrUpdateAsync(update, ct);
        }
        return new Outcome(successful, failed);
    }
}
