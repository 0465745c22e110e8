using System.Net;
using Dapper;
using Xref.Client;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.Client;

/// <summary>Xref.Client's external references against a live Xref, on both databases.</summary>
public sealed class ClientReferenceTests
{
    [Theory, AllDatabases]
    public async Task Create_or_update_creates_then_changes_only_the_fields_set_and_includes_the_subject_as_its_type(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = Clients.For(app).Client;
        var created = await client.ExternalReferences.CreateOrUpdateAsync(Clients.Reference(100) with { }, ExternalReferenceIncludes.Subject);
        Assert.Equal((SyncStatus.Pending, "Workspace", 100L, "jira", "WEB-1", false), (created.Record.Status, created.Record.SubjectType,
            created.Record.SubjectId, created.Record.ServiceName, created.Record.ServiceModelRef, created.Record.Locked));
        Assert.Equal(ManualClock.Start, created.Record.CreatedAt);
        Assert.Equal(new RecordRef("workspaces", 100), created.Record.SubjectRef);
        var workspace = Assert.IsType<Workspace>(created.Included.SubjectOf(created.Record));
        Assert.Equal((100L, "Website relaunch", "New site", (long?)10), (workspace.Id, workspace.Title, workspace.Description, workspace.CreatorId));

        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var updated = await client.ExternalReferences.CreateOrUpdateAsync(Clients.Reference(100) with
            { Status = SyncStatus.Successful, ExternalStatus = "Done", ExternalLink = "https://jira.example/browse/WEB-1" });
        Assert.Equal((created.Record.Id, SyncStatus.Successful, "Done", "https://jira.example/browse/WEB-1"),
            (updated.Id, updated.Status, updated.ExternalStatus, updated.ExternalLink));
        Assert.Equal((ManualClock.Start, ManualClock.Start.AddMinutes(5)), (updated.CreatedAt, updated.UpdatedAt));
        Assert.Null(updated.SubjectRef);
        var message = await client.ExternalReferences.CreateOrUpdateAsync(Clients.Reference(100) with { ExternalMessage = "synced" });
        Assert.Equal((SyncStatus.Successful, "Done", "synced"), (message.Status, message.ExternalStatus, message.ExternalMessage));

        foreach (var (type, id, expected) in new (string, long, Type)[] { ("Story", 200, typeof(Story)), ("Invoice", 400, typeof(Invoice)), ("User", 10, typeof(User)), ("TimeEntry", 300, typeof(TimeEntry)) })
        {
            var result = await client.ExternalReferences.CreateOrUpdateAsync(Clients.Reference(id, type: type), ExternalReferenceIncludes.Subject);
            Assert.IsType(expected, result.Included.SubjectOf(result.Record));
        }
        var listed = await client.ExternalReferences.ListAsync(new ExternalReferenceQuery("Invoice") { Include = ExternalReferenceIncludes.Subject });
        Assert.Equal("November", Assert.IsType<Invoice>(listed.Included.SubjectOf(Assert.Single(listed.Records))).Name);
        var user = await client.ExternalReferences.ListAsync(new ExternalReferenceQuery("User") { Include = ExternalReferenceIncludes.Subject });
        Assert.Equal("Ada Admin", Assert.IsType<User>(user.Included.SubjectOf(Assert.Single(user.Records))).FullName);
    }

    [Theory, AllDatabases]
    public async Task A_query_sends_every_filter_order_paging_and_only(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var refs = Clients.For(app).Client.ExternalReferences;
        var a = await refs.CreateOrUpdateAsync(Clients.Reference(100, "jira", "WEB-1"));
        app.Clock.Advance(TimeSpan.FromSeconds(10));
        var b = await refs.CreateOrUpdateAsync(Clients.Reference(100, "github", "PR-7") with { ExternalStatus = "merged", ExternalMessage = "ok" });
        app.Clock.Advance(TimeSpan.FromSeconds(10));
        var c = await refs.CreateOrUpdateAsync(Clients.Reference(101, "jira", "ERP-2", status: SyncStatus.Failed));

        async Task<long[]> Ids(ExternalReferenceQuery query) => [.. (await refs.ListAsync(query)).Records.Select(r => r.Id)];
        var workspace = new ExternalReferenceQuery("Workspace");
        Assert.Equal([c.Id, b.Id, a.Id], await Ids(workspace));
        Assert.Equal([a.Id, b.Id, c.Id], await Ids(workspace with { Order = ExternalReferenceOrder.CreatedAtAsc }));
        Assert.Equal([c.Id, a.Id], await Ids(workspace with { ServiceName = "jira" }));
        Assert.Equal([c.Id], await Ids(workspace with { Status = SyncStatus.Failed }));
        Assert.Equal([c.Id], await Ids(workspace with { SubjectId = 101 }));
        Assert.Equal([b.Id], await Ids(workspace with { ServiceModelRef = "PR-7", ServiceModel = "issue", ExternalStatus = "merged", ExternalMessage = "ok" }));
        Assert.Equal([a.Id], await Ids(workspace with { CreatedBefore = ManualClock.Start.AddSeconds(5) }));
        Assert.Equal([c.Id, b.Id], await Ids(workspace with { CreatedAfter = ManualClock.Start.AddSeconds(0.5) }));
        Assert.Equal([c.Id], await Ids(workspace with { UpdatedAfter = ManualClock.Start.AddSeconds(15), LastSyncedAfter = ManualClock.Start.AddSeconds(15) }));
        Assert.Equal([a.Id], await Ids(workspace with { UpdatedBefore = ManualClock.Start.AddSeconds(1), LastSyncedBefore = ManualClock.Start.AddSeconds(1) }));
        Assert.Equal([c.Id, a.Id], await Ids(workspace with { Only = [a.Id, c.Id, 999_999] }));

        var page = await refs.ListAsync(workspace with { Page = 2, PerPage = 1 });
        Assert.Equal((3L, new PageMeta(3, 3, 2, 1), b.Id), (page.Count, page.Meta, Assert.Single(page.Records).Id));
        var window = await refs.ListAsync(workspace with { Limit = 2, Offset = 1 });
        Assert.Equal([b.Id, a.Id], window.Records.Select(r => r.Id));
        var empty = await refs.ListAsync(new ExternalReferenceQuery("Story"));
        Assert.Equal((0L, new PageMeta(0, 0, 0, 20)), (empty.Count, empty.Meta));
        Assert.Empty(empty.Records);
    }

    [Theory, AllDatabases]
    public async Task List_all_walks_past_a_thousand_records_in_pages_of_200_and_each_record_comes_once_while_records_are_added(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var clients = Clients.For(app);
        var refs = clients.Client.ExternalReferences;
        // One subject, 1,050 services: the upsert key is (subject, service), so no subject has to be created.
        for (var i = 0; i < 1050; i++) await refs.CreateOrUpdateAsync(Clients.Reference(100, $"svc-{i:D4}"));
        var stored = (await app.Database.ReadAsync(c => c.QueryAsync<long>("SELECT id FROM external_references"))).Order().ToList();

        var before = clients.Requests;
        var all = new List<ExternalReference>();
        await foreach (var reference in refs.ListAllAsync(new ExternalReferenceQuery("Workspace") { PerPage = 1000 })) all.Add(reference);
        Assert.Equal(6, clients.Requests - before); // 5 pages of 200 (per_page is at most 200) and one of 50
        Assert.Equal(stored, all.Select(r => r.Id).Order());

        // In created_at order, a record added during the walk lands at the end: the count grows and the walk reaches it.
        var ascending = new List<long>();
        var added = new List<long>();
        await foreach (var page in refs.ListPagesAsync(new ExternalReferenceQuery("Workspace") { Order = ExternalReferenceOrder.CreatedAtAsc }))
        {
            ascending.AddRange(page.Records.Select(r => r.Id));
            if (added.Count == 0)
                for (var i = 0; i < 5; i++) added.Add((await refs.CreateOrUpdateAsync(Clients.Reference(100, $"late-{i}"))).Id);
        }
        Assert.Equal([.. stored, .. added], ascending);

        // In the default order the newest come first: adding shifts the pages, the walk sees some records twice, and
        // ListAllAsync gives each once; every record that existed when the walk began is there.
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        var seen = new List<long>();
        await foreach (var reference in refs.ListAllAsync(new ExternalReferenceQuery("Workspace")))
        {
            seen.Add(reference.Id);
            if (seen.Count == 1)
                for (var i = 0; i < 5; i++) await refs.CreateOrUpdateAsync(Clients.Reference(100, $"later-{i}"));
        }
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Superset(stored.Concat(added).ToHashSet(), seen.ToHashSet());
    }

    [Theory, AllDatabases]
    public async Task Delete_removes_and_errors_carry_the_status_and_every_entry(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var refs = Clients.For(app).Client.ExternalReferences;
        var created = await refs.CreateOrUpdateAsync(Clients.Reference(100));
        await refs.DeleteAsync(created.Id);
        Assert.Empty((await refs.ListAsync(new ExternalReferenceQuery("Workspace") { Only = [created.Id] })).Records);

        var gone = await Assert.ThrowsAsync<KantataApiException>(() => refs.DeleteAsync(created.Id));
        Assert.Equal((HttpStatusCode.NotFound, new KantataError("system", "Record not found")), (gone.Status, Assert.Single(gone.Errors)));

        var invalid = await Assert.ThrowsAsync<KantataApiException>(() => refs.CreateOrUpdateAsync(new ExternalReferenceInput
            { SubjectType = "Workspace", SubjectId = 100, ServiceName = " ", ServiceModel = "issue", ServiceModelRef = "X", ExternalLink = "javascript:alert(1)" }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.Status);
        Assert.Equal(["external_link", "service_name"], invalid.Errors.Select(e => e.Field!).Order());
        Assert.All(invalid.Errors, e => Assert.Equal("validation", e.Type));
        var otherAccount = await Assert.ThrowsAsync<KantataApiException>(() => refs.CreateOrUpdateAsync(Clients.Reference(900)));
        Assert.Equal(("subject_id", "validation"), (Assert.Single(otherAccount.Errors).Field, otherAccount.Errors[0].Type));

        var badQuery = await Assert.ThrowsAsync<KantataApiException>(() => refs.ListAsync(new ExternalReferenceQuery("Nope")));
        Assert.Equal((HttpStatusCode.BadRequest, "subject_type"), (badQuery.Status, Assert.Single(badQuery.Errors).Field));

        var unknown = await Assert.ThrowsAsync<KantataApiException>(() => Clients.For(app, "no-such-token").Client.ExternalReferences.ListAsync(new("Workspace")));
        Assert.Equal((HttpStatusCode.Unauthorized, new KantataError("oauth", "Invalid OAuth 2 Request")), (unknown.Status, Assert.Single(unknown.Errors)));

        var readOnly = await Assert.ThrowsAsync<KantataApiException>(() => Clients.For(app, XrefApp.AcmeRead).Client.ExternalReferences.CreateOrUpdateAsync(Clients.Reference(100)));
        Assert.Equal(HttpStatusCode.Forbidden, readOnly.Status);
        Assert.Contains("403", readOnly.Message);
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
    }
}
