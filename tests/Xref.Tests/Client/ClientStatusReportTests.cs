using System.Net;
using Xref.Client;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.Client;

/// <summary>Xref.Client's status reports against a live Xref, on both databases.</summary>
public sealed class ClientStatusReportTests
{
    private const StatusReportIncludes All = StatusReportIncludes.Creator | StatusReportIncludes.Updater | StatusReportIncludes.Workspace | StatusReportIncludes.ExternalReferences;

    [Theory, AllDatabases]
    public async Task Create_get_update_list_and_delete_with_their_includes(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var reports = Clients.For(app).Client.StatusReports;
        var created = await reports.CreateAsync(new StatusReportInput
        {
            WorkspaceId = 100, Color = StatusColor.Yellow, Description = "Behind on design",
            Details = [new StatusDetail(StatusCategory.Schedule, StatusColor.Red, "two weeks late"), new StatusDetail(StatusCategory.Budget, StatusColor.Green)],
            ExternalReference = new StatusReportReferenceInput { ServiceName = "jira", ServiceModel = "issue", ServiceModelRef = "WEB-9" },
        }, All);
        var report = created.Record;
        Assert.Equal((100L, StatusColor.Yellow, "Behind on design", (long?)10, (long?)10), (report.WorkspaceId, report.Color, report.Description, report.CreatorId, report.UpdaterId));
        Assert.Equal([new StatusDetail(StatusCategory.Schedule, StatusColor.Red, "two weeks late"), new StatusDetail(StatusCategory.Budget, StatusColor.Green)], report.Details);
        Assert.Equal("Website relaunch", created.Included.WorkspaceOf(report)?.Title);
        Assert.Equal("Ada Admin", created.Included.CreatorOf(report)?.FullName);
        Assert.Equal("ada@acme.example", created.Included.UpdaterOf(report)?.EmailAddress);
        var nested = Assert.Single(created.Included.ExternalReferencesOf(report));
        Assert.Equal(("StatusReport", report.Id, "WEB-9", SyncStatus.Pending), (nested.SubjectType, nested.SubjectId, nested.ServiceModelRef, nested.Status));

        var fetched = await reports.GetAsync(report.Id);
        Assert.Equal((report.Id, report.Description, 2), (fetched.Id, fetched.Description, fetched.Details.Count));
        Assert.Null(fetched.ExternalReferenceIds);

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var updated = await reports.UpdateAsync(report.Id, new StatusReportInput
        {
            Description = "Back on track", Color = StatusColor.Green, Details = [],
            ExternalReference = new StatusReportReferenceInput { ServiceName = "jira", ServiceModel = "issue", ServiceModelRef = "WEB-9", Status = SyncStatus.Successful },
        }, StatusReportIncludes.ExternalReferences);
        Assert.Equal(("Back on track", StatusColor.Green, 0, ManualClock.Start.AddMinutes(1)),
            (updated.Record.Description, updated.Record.Color, updated.Record.Details.Count, updated.Record.UpdatedAt));
        Assert.Equal((nested.Id, SyncStatus.Successful), (Assert.Single(updated.Included.ExternalReferencesOf(updated.Record)).Id, Assert.Single(updated.Included.ExternalReferencesOf(updated.Record)).Status));

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var other = await reports.CreateAsync(new StatusReportInput { WorkspaceId = 101, Color = StatusColor.Red, Description = "ERP" });
        var listed = await reports.ListAsync(new StatusReportQuery { Include = StatusReportIncludes.Workspace });
        Assert.Equal([other.Id, report.Id], listed.Records.Select(r => r.Id));
        Assert.Equal(["ERP migration", "Website relaunch"], listed.Records.Select(r => listed.Included.WorkspaceOf(r)!.Title));
        Assert.Equal([report.Id], (await reports.ListAsync(new StatusReportQuery { ExternalReferenceServiceName = "jira", ExternalReferenceStatus = SyncStatus.Successful })).Records.Select(r => r.Id));
        Assert.Equal([other.Id], (await reports.ListAsync(new StatusReportQuery { HasExternalReferences = false, WorkspaceId = 101 })).Records.Select(r => r.Id));
        Assert.Equal([report.Id], (await reports.ListAsync(new StatusReportQuery { ExternalReferenceServiceModelRefs = ["WEB-9", "X"], Order = StatusReportOrder.CreatedAtAsc })).Records.Select(r => r.Id));
        Assert.Equal([other.Id], (await reports.ListAsync(new StatusReportQuery { WithoutExternalReferenceServiceName = "jira", Only = [report.Id, other.Id] })).Records.Select(r => r.Id));

        await reports.DeleteAsync(report.Id);
        var gone = await Assert.ThrowsAsync<KantataApiException>(() => reports.GetAsync(report.Id));
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));

        var invalid = await Assert.ThrowsAsync<KantataApiException>(() => reports.CreateAsync(new StatusReportInput { WorkspaceId = 900 }));
        Assert.Equal(["color", "description", "workspace_id"], invalid.Errors.Select(e => e.Field!).Order());
    }

    [Theory, AllDatabases]
    public async Task List_all_walks_every_page(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var reports = Clients.For(app).Client.StatusReports;
        var ids = new List<long>();
        for (var i = 0; i < 45; i++)
            ids.Add((await reports.CreateAsync(new StatusReportInput { WorkspaceId = 100 + i % 2, Color = StatusColor.Green, Description = $"week {i}" })).Id);
        var walked = new List<long>();
        var pages = 0;
        await foreach (var page in reports.ListPagesAsync(new StatusReportQuery { PerPage = 20, Order = StatusReportOrder.CreatedAtAsc }))
        {
            pages++;
            walked.AddRange(page.Records.Select(r => r.Id));
        }
        Assert.Equal(3, pages);
        Assert.Equal(ids, walked);
        var workspace100 = new List<long>();
        await foreach (var report in reports.ListAllAsync(new StatusReportQuery { WorkspaceId = 100, PerPage = 10 })) workspace100.Add(report.Id);
        Assert.Equal(ids.Where((_, i) => i % 2 == 0).Order(), workspace100.Order());
    }
}
