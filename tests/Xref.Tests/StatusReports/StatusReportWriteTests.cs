using System.Net;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.StatusReports;

public sealed class StatusReportWriteTests
{
    private const string Url = "/api/v1/status_reports";

    private const string JiraReport = """
        {"status_report": {"workspace_id": "100", "color": "yellow", "description": "Slipping",
          "details": [{"category": "Budget", "color": "red", "description": "Over by 10%"}, {"category": "Scope", "color": "green"}],
          "external_reference": {"service_name": "jira", "service_model": "issue", "service_model_ref": "WEB-7",
            "external_link": "https://jira.example/browse/WEB-7", "external_status": "Open"}},
         "include": "creator,updater,workspace,external_references"}
        """;

    private const string CreatedJiraReport = """
        {"count": 1, "results": [{"key": "status_reports", "id": "1"}],
         "status_reports": {"1": {"color": "yellow", "description": "Slipping",
           "details": [{"category": "Budget", "color": "red", "description": "Over by 10%"},
                       {"category": "Scope", "color": "green", "description": null}],
           "created_at": "2026-11-22T14:15:20Z", "updated_at": "2026-11-22T14:15:20Z",
           "workspace_id": "100", "creator_id": "10", "updater_id": "10", "external_reference_ids": ["1"], "id": "1"}},
         "meta": {"count": 1, "page_count": 1, "page_number": 1, "page_size": 20},
         "users": {"10": {"full_name": "Ada Admin", "email_address": "ada@acme.example", "headline": "Ops", "photo_path": null, "id": "10"}},
         "workspaces": {"100": {"title": "Website relaunch", "description": "New site", "archived": false,
           "created_at": "2026-11-22T14:15:20Z", "updated_at": "2026-11-22T14:15:20Z", "creator_id": "10", "id": "100"}},
         "external_references": {"1": {"subject_type": "StatusReport", "subject_id": 1, "service_name": "jira",
           "service_model": "issue", "service_model_ref": "WEB-7", "status": "pending",
           "external_link": "https://jira.example/browse/WEB-7", "external_status": "Open", "external_message": null,
           "locked": false, "last_synced_at": "2026-11-22T14:15:20Z", "created_at": "2026-11-22T14:15:20Z",
           "updated_at": "2026-11-22T14:15:20Z", "id": "1"}}}
        """;

    [Theory, AllDatabases]
    public async Task Creates_a_report_with_its_reference_and_every_include(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        await JsonAssert.ResponseAsync(await app.Client().PostJson(Url, JiraReport), HttpStatusCode.OK, CreatedJiraReport);
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM status_reports"));
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references WHERE subject_type = 'StatusReport' AND subject_id = 1"));
    }

    [Theory, AllDatabases]
    public async Task Form_body_with_details_array_gives_the_same_report(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var response = await app.Client().PostForm(Url + ".json",
            "status_report[workspace_id]=100&status_report[color]=yellow&status_report[description]=Slipping" +
            "&status_report[details][][category]=Budget&status_report[details][][color]=red&status_report[details][][description]=Over+by+10%25" +
            "&status_report[details][][category]=Scope&status_report[details][][color]=green" +
            "&status_report[external_reference][service_name]=jira&status_report[external_reference][service_model]=issue" +
            "&status_report[external_reference][service_model_ref]=WEB-7" +
            "&status_report[external_reference][external_link]=https%3A%2F%2Fjira.example%2Fbrowse%2FWEB-7" +
            "&status_report[external_reference][external_status]=Open&include=creator,updater,workspace,external_references");
        await JsonAssert.ResponseAsync(response, HttpStatusCode.OK, CreatedJiraReport);
    }

    [Theory, AllDatabases]
    public async Task Invalid_report_or_reference_writes_nothing_and_names_every_field(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var response = await app.Client().PostJson(Url, """
            {"status_report": {"workspace_id": 900, "color": "blue", "description": "",
              "details": [{"category": "Scope", "color": "green"}, {"category": "Scope", "color": "red"}, {"category": "Mood", "color": "green"}, "x"],
              "external_reference": {"service_name": "jira", "service_model": " ", "service_model_ref": "A", "status": "sent"}}}
            """);
        await JsonAssert.ErrorAsync(response, HttpStatusCode.UnprocessableEntity,
            ("validation", "color", "color must be one of green, yellow, red, not \"blue\"."),
            ("validation", "description", "description is required and can't be blank."),
            ("validation", "details[1].category", "details[1].category: Scope is already reported in details[0]; give one detail per category."),
            ("validation", "details[2].category", "details[2].category must be one of Scope, Budget, Schedule, Client, not \"Mood\"."),
            ("validation", "details[3]", "details[3] must be an object with category, color and description."),
            ("validation", "external_reference.service_model", "external_reference.service_model is required and can't be blank."),
            ("validation", "external_reference.status", "external_reference.status must be one of pending, successful, failed, not \"sent\"."),
            ("validation", "workspace_id", "Workspace 900 does not exist in your account."));
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM status_reports"));
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
    }

    [Theory, AllDatabases]
    public async Task Valid_report_with_invalid_reference_writes_neither(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var before = (await Sql.CountAsync(app, "SELECT COUNT(*) FROM status_reports"), await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
        var response = await app.Client().PostJson(Url, """
            {"status_report": {"workspace_id": 100, "color": "green", "description": "Fine",
              "external_reference": {"service_name": "jira", "service_model": "issue", "service_model_ref": "A", "external_link": "data:text/html,x"}}}
            """);
        await JsonAssert.ErrorAsync(response, HttpStatusCode.UnprocessableEntity,
            ("validation", "external_reference.external_link", "external_link must not use the data: scheme; use http(s) or an application deep link."));
        Assert.Equal(before, (await Sql.CountAsync(app, "SELECT COUNT(*) FROM status_reports"), await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references")));
    }

    [Theory, AllDatabases]
    public async Task Update_replaces_details_and_resent_reference_updates_it_in_place(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        await client.PostJson(Url, JiraReport);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var response = await client.PutAsync(Url + "/1?include=external_references", Requests.Json("""
            {"status_report": {"workspace_id": 101, "color": "red", "details": [{"category": "Client", "color": "red", "description": "Unhappy"}],
              "external_reference": {"service_name": "jira", "service_model": "issue", "service_model_ref": "WEB-7", "status": "successful"}},
             "only": "1"}
            """));
        await JsonAssert.ResponseAsync(response, HttpStatusCode.OK, """
            {"count": 1, "results": [{"key": "status_reports", "id": "1"}],
             "status_reports": {"1": {"color": "red", "description": "Slipping",
               "details": [{"category": "Client", "color": "red", "description": "Unhappy"}],
               "created_at": "2026-11-22T14:15:20Z", "updated_at": "2026-11-22T14:20:20Z",
               "workspace_id": "100", "creator_id": "10", "updater_id": "10", "external_reference_ids": ["1"], "id": "1"}},
             "meta": {"count": 1, "page_count": 1, "page_number": 1, "page_size": 20},
             "external_references": {"1": {"subject_type": "StatusReport", "subject_id": 1, "service_name": "jira",
               "service_model": "issue", "service_model_ref": "WEB-7", "status": "successful",
               "external_link": "https://jira.example/browse/WEB-7", "external_status": "Open", "external_message": null,
               "locked": false, "last_synced_at": "2026-11-22T14:20:20Z", "created_at": "2026-11-22T14:15:20Z",
               "updated_at": "2026-11-22T14:20:20Z", "id": "1"}}}
            """);
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));

        var cleared = await client.PutAsync(Url + "/1", Requests.Form("status_report[details][]="));
        var body = await JsonAssert.StatusAsync(cleared, HttpStatusCode.OK);
        Assert.Equal("[]", body["status_reports"]!["1"]!["details"]!.ToJsonString());
    }

    [Theory, AllDatabases]
    public async Task Delete_removes_the_report_and_its_references(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        await client.PostJson(Url, JiraReport);
        await client.PostJson("/api/v1/external_references/create_or_update", """
            {"external_reference": {"subject_type": "StatusReport", "subject_id": 1, "service_name": "salesforce",
             "service_model": "Note", "service_model_ref": "N-1"}}
            """);
        Assert.Equal(2, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
        var response = await client.DeleteAsync(Url + "/1");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM status_reports"));
        await JsonAssert.ErrorAsync(await client.DeleteAsync(Url + "/1"), HttpStatusCode.NotFound, ("system", null, "Record not found"));
    }

    [Theory, AllDatabases]
    public async Task Another_account_can_reach_the_report_through_no_route(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        await app.Client().PostJson(Url, JiraReport);
        var other = app.Client(XrefApp.OtherWrite);
        var notFound = ("system", (string?)null, "Record not found");
        await JsonAssert.ErrorAsync(await other.GetAsync(Url + "/1"), HttpStatusCode.NotFound, notFound);
        await JsonAssert.ErrorAsync(await other.PutAsync(Url + "/1", Requests.Json("""{"status_report": {"color": "green"}}""")), HttpStatusCode.NotFound, notFound);
        await JsonAssert.ErrorAsync(await other.DeleteAsync(Url + "/1"), HttpStatusCode.NotFound, notFound);
        await JsonAssert.ResponseAsync(await other.GetAsync(Url), HttpStatusCode.OK,
            """{"count":0,"results":[],"status_reports":{},"meta":{"count":0,"page_count":0,"page_number":0,"page_size":20}}""");
        await JsonAssert.ErrorAsync(await other.PostJson(Url, """{"status_report": {"workspace_id": 100, "color": "green", "description": "x"}}"""),
            HttpStatusCode.UnprocessableEntity, ("validation", "workspace_id", "Workspace 100 does not exist in your account."));
        await JsonAssert.ErrorAsync(await other.PostJson("/api/v1/external_references/create_or_update", """
            {"external_reference": {"subject_type": "StatusReport", "subject_id": 1, "service_name": "x", "service_model": "y", "service_model_ref": "z"}}
            """), HttpStatusCode.UnprocessableEntity, ("validation", "subject_id", "StatusReport 1 does not exist in your account."));
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM status_reports WHERE color = 'yellow'"));
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
    }

    [Theory, AllDatabases]
    public async Task Read_token_is_refused_on_writes(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var response = await app.Client(XrefApp.AcmeRead).PostJson(Url, JiraReport);
        await JsonAssert.ErrorAsync(response, HttpStatusCode.Forbidden,
            ("system", null, "This token is read-only; use a token with the write scope to change data."));
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM status_reports"));
    }
}
