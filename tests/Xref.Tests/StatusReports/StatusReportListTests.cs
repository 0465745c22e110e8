using System.Net;
using System.Text.Json.Nodes;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.StatusReports;

public sealed class StatusReportListTests
{
    private const string Url = "/api/v1/status_reports";

    /// <summary>
    /// Reports 1–4, one second apart: 1 on workspace 100 with a failed jira reference, 2 on 100 with a
    /// successful jira and a salesforce reference, 3 on 101 with none, 4 on 101 with a pending jira reference.
    /// </summary>
    private static async Task<XrefApp> StartWithReportsAsync(string db)
    {
        var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        async Task Create(int workspace, string? reference)
        {
            var nested = reference is null ? "" : $", \"external_reference\": {reference}";
            var response = await client.PostJson(Url, $$$"""{"status_report": {"workspace_id": {{{workspace}}}, "color": "green", "description": "d"{{{nested}}}}}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            app.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        await Create(100, """{"service_name": "jira", "service_model": "issue", "service_model_ref": "J-1", "status": "failed", "external_message": "50%_off"}""");
        await Create(100, """{"service_name": "jira", "service_model": "issue", "service_model_ref": "J-2", "status": "successful"}""");
        await client.PostJson("/api/v1/external_references/create_or_update", """
            {"external_reference": {"subject_type": "StatusReport", "subject_id": 2, "service_name": "salesforce", "service_model": "Note", "service_model_ref": "S-2"}}
            """);
        await Create(101, null);
        await Create(101, """{"service_name": "jira", "service_model": "epic", "service_model_ref": "J-4"}""");
        return app;
    }

    private static async Task<string[]> Ids(XrefApp app, string query)
    {
        var body = await JsonAssert.StatusAsync(await app.Client().GetAsync(Url + query), HttpStatusCode.OK);
        var ids = body["results"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToArray();
        Assert.Equal(ids.Length, body["status_reports"]!.AsObject().Count);
        return ids;
    }

    [Theory, AllDatabases]
    public async Task Default_order_is_updated_at_descending_and_orders_apply(string db)
    {
        await using var app = await StartWithReportsAsync(db);
        Assert.Equal(["4", "3", "2", "1"], await Ids(app, ""));
        Assert.Equal(["1", "2", "3", "4"], await Ids(app, "?order=created_at:asc"));
        Assert.Equal(["1", "2", "3", "4"], await Ids(app, "?order=updated_at:DESC"));
        Assert.Equal(["4", "3", "2", "1"], await Ids(app, "?order=color:asc"));
        await app.Client().PutAsync(Url + "/1", Requests.Json("""{"status_report": {"color": "red"}}"""));
        Assert.Equal(["1", "4", "3", "2"], await Ids(app, ""));
    }

    [Theory, AllDatabases]
    public async Task External_reference_filters_find_synced_and_unsynced_reports(string db)
    {
        await using var app = await StartWithReportsAsync(db);
        Assert.Equal(["4", "2", "1"], await Ids(app, "?has_external_references=true"));
        Assert.Equal(["3"], await Ids(app, "?has_external_references=false"));
        Assert.Equal(["4", "3", "2", "1"], await Ids(app, "?has_external_references=maybe"));
        Assert.Equal(["4", "3", "1"], await Ids(app, "?without_external_reference_service_name=salesforce"));
        Assert.Equal(["3"], await Ids(app, "?without_external_reference_service_name=jira"));
        Assert.Equal(["4", "2", "1"], await Ids(app, "?external_reference_service_name=jira"));
        Assert.Equal(["1"], await Ids(app, "?external_reference_service_name=jira&external_reference_status=failed"));
        Assert.Empty(await Ids(app, "?external_reference_service_name=salesforce&external_reference_status=failed"));
        Assert.Equal(["4"], await Ids(app, "?external_reference_service_model=epic"));
        Assert.Equal(["2"], await Ids(app, "?external_reference_service_model_ref=S-2"));
        Assert.Equal(["4", "1"], await Ids(app, "?external_reference_service_model_refs=J-1,J-4,nope"));
        Assert.Equal(["1"], await Ids(app, "?external_reference_external_message=50%25_off"));
        Assert.Empty(await Ids(app, "?external_reference_external_message=50%25%25off"));
        Assert.Equal(["2", "1"], await Ids(app, "?workspace_id=100"));
        Assert.Empty(await Ids(app, "?workspace_id=abc"));
        Assert.Equal(["3", "2"], await Ids(app, "?created_after=2026-11-22T14:15:20Z&created_before=2026-11-22T14:15:23Z"));
        Assert.Equal(["2", "4"], await Ids(app, "?only=4,x,2,2&order=created_at:asc&per_page=1"));
    }

    [Theory, AllDatabases]
    public async Task Listing_paginates_with_the_shared_rules(string db)
    {
        await using var app = await StartWithReportsAsync(db);
        var body = await JsonAssert.StatusAsync(await app.Client().GetAsync(Url + "?per_page=3&page=2"), HttpStatusCode.OK);
        Assert.Equal("""{"count":4,"page_count":2,"page_number":2,"page_size":3}""", body["meta"]!.ToJsonString());
        Assert.Equal(["1"], body["results"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()));
    }

    [Theory, AllDatabases]
    public async Task Reports_are_subjects_for_external_references(string db)
    {
        await using var app = await StartWithReportsAsync(db);
        var body = await JsonAssert.StatusAsync(await app.Client().GetAsync(
            "/api/v1/external_references?subject_type=StatusReport&service_name=salesforce&include=subject"), HttpStatusCode.OK);
        Assert.Equal("""{"key":"status_reports","id":"2"}""", body["external_references"]!.AsObject().Single().Value!["subject_ref"]!.ToJsonString());
        JsonAssert.Equal("""
            {"2": {"color": "green", "description": "d", "details": [], "created_at": "2026-11-22T14:15:21Z",
              "updated_at": "2026-11-22T14:15:21Z", "workspace_id": "100", "creator_id": "10", "updater_id": "10", "id": "2"}}
            """, body["status_reports"]!.ToJsonString());
        Assert.Equal(new[] { "count", "external_references", "meta", "results", "status_reports" }, body.AsObject().Select(p => p.Key).Order());
    }

    [Theory, AllDatabases]
    public async Task Show_returns_one_report_with_includes(string db)
    {
        await using var app = await StartWithReportsAsync(db);
        var body = await JsonAssert.StatusAsync(await app.Client().GetAsync(Url + "/2.json?include=external_references,creator"), HttpStatusCode.OK);
        Assert.Equal("""["2","3"]""", body["status_reports"]!["2"]!["external_reference_ids"]!.ToJsonString());
        Assert.Equal(["2", "3"], body["external_references"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["10"], body["users"]!.AsObject().Select(p => p.Key));
        Assert.Equal("""{"count":1,"page_count":1,"page_number":1,"page_size":20}""", body["meta"]!.ToJsonString());
        await JsonAssert.ErrorAsync(await app.Client().GetAsync(Url + "/99"), HttpStatusCode.NotFound, ("system", null, "Record not found"));
    }
}
