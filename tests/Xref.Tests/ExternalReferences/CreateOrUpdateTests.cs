using System.Net;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.ExternalReferences;

public sealed class CreateOrUpdateTests
{
    private const string Url = "/api/v1/external_references/create_or_update";

    private const string JiraOnWorkspace = """
        {"external_reference": {"subject_type": "Workspace", "subject_id": 100, "service_name": "jira",
         "service_model": "issue", "service_model_ref": "WEB-1", "external_link": "https://jira.example/browse/WEB-1"}}
        """;

    private const string CreatedJira = """
        {"count": 1, "results": [{"key": "external_references", "id": "1"}],
         "external_references": {"1": {"subject_type": "Workspace", "subject_id": 100, "service_name": "jira",
           "service_model": "issue", "service_model_ref": "WEB-1", "status": "pending",
           "external_link": "https://jira.example/browse/WEB-1", "external_status": null, "external_message": null,
           "locked": false, "last_synced_at": "2026-11-22T14:15:20Z", "created_at": "2026-11-22T14:15:20Z",
           "updated_at": "2026-11-22T14:15:20Z", "id": "1"}},
         "meta": {"count": 1, "page_count": 1, "page_number": 1, "page_size": 20}}
        """;

    [Theory, AllDatabases]
    public async Task Creates_a_reference_with_defaults(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var response = await app.Client().PostJson(Url, JiraOnWorkspace);
        await JsonAssert.ResponseAsync(response, HttpStatusCode.OK, CreatedJira);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references WHERE account_id = 1"));
    }

    [Theory, AllDatabases]
    public async Task Form_body_gives_the_same_record_as_json(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var response = await app.Client().PostForm(Url + ".json",
            "external_reference[subject_type]=Workspace&external_reference[subject_id]=100&external_reference[service_name]=jira" +
            "&external_reference[service_model]=issue&external_reference[service_model_ref]=WEB-1" +
            "&external_reference[external_link]=https%3A%2F%2Fjira.example%2Fbrowse%2FWEB-1&include=&filters=");
        await JsonAssert.ResponseAsync(response, HttpStatusCode.OK, CreatedJira);
    }

    [Theory, AllDatabases]
    public async Task Update_keeps_id_created_at_and_untouched_fields(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        await client.PostJson(Url, """
            {"external_reference": {"subject_type": "Workspace", "subject_id": "100", "service_name": "jira", "service_model": "issue",
             "service_model_ref": "WEB-1", "status": "failed", "external_status": "Open", "external_message": "boom", "locked": "true"}}
            """);
        app.Clock.Advance(TimeSpan.FromSeconds(90.7));
        var response = await client.PostJson(Url, """
            {"external_reference": {"subject_type": "Workspace", "subject_id": 100, "service_name": "jira", "service_model": "issue",
             "service_model_ref": "WEB-2", "status": "successful", "id": 77, "created_at": "2001-01-01T00:00:00Z"}, "include": ""}
            """);
        await JsonAssert.ResponseAsync(response, HttpStatusCode.OK, """
            {"count": 1, "results": [{"key": "external_references", "id": "1"}],
             "external_references": {"1": {"subject_type": "Workspace", "subject_id": 100, "service_name": "jira",
               "service_model": "issue", "service_model_ref": "WEB-2", "status": "successful",
               "external_link": null, "external_status": "Open", "external_message": "boom",
               "locked": true, "last_synced_at": "2026-11-22T14:16:50Z", "created_at": "2026-11-22T14:15:20Z",
               "updated_at": "2026-11-22T14:16:50Z", "id": "1"}},
             "meta": {"count": 1, "page_count": 1, "page_number": 1, "page_size": 20}}
            """);
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
    }

    [Theory, AllDatabases]
    public async Task Concurrent_upserts_of_one_key_give_one_row_and_no_error(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        var responses = await Task.WhenAll(Enumerable.Range(0, 48).Select(i => client.PostJson(Url, $$"""
            {"external_reference": {"subject_type": "Story", "subject_id": 200, "service_name": "jira",
             "service_model": "issue", "service_model_ref": "REF-{{i}}"} }
            """)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references WHERE subject_type = 'Story'"));
        var ids = await Task.WhenAll(responses.Select(async r => (await JsonAssert.StatusAsync(r, HttpStatusCode.OK))["results"]![0]!["id"]!.GetValue<string>()));
        Assert.Single(ids.Distinct());
    }

    [Theory, AllDatabases]
    public async Task Every_invalid_field_is_reported_and_nothing_is_written(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var response = await app.Client().PostJson(Url, """
            {"external_reference": {"subject_type": "Project", "subject_id": "1.5", "service_name": " ",
             "service_model": {"a": 1}, "status": "done", "external_link": "javascript:alert(1)", "locked": "maybe"}}
            """);
        await JsonAssert.ErrorAsync(response, HttpStatusCode.UnprocessableEntity,
            ("validation", "subject_type", "subject_type must be one of Assignment, BillingMilestone, CustomField, CustomFieldChoice, CustomFieldSet, CustomFieldValue, Estimate, EstimateScenario, EstimateScenarioResource, Expense, ExpenseBudget, Invoice, Participation, Post, RateCard, Role, Skill, StatusReport, Story, StoryAllocationDay, Submission, SurveyAnswer, SurveyQuestion, SurveyResponse, SurveyTemplate, TimeEntry, TimeOffEntry, User, Vendor, Workspace, WorkspaceAllocation, WorkspaceGroup, WorkspaceResource, not \"Project\"."),
            ("validation", "subject_id", "subject_id must be an integer from 1 to 9223372036854775807 (a number or a string of digits), not \"1.5\"."),
            ("validation", "service_name", "service_name is required and can't be blank."),
            ("validation", "service_model", "service_model must be a string, not an object."),
            ("validation", "service_model_ref", "service_model_ref is required and can't be blank."),
            ("validation", "status", "status must be one of pending, successful, failed, not \"done\"."),
            ("validation", "external_link", "external_link must not use the javascript: scheme; use http(s) or an application deep link."),
            ("validation", "locked", "locked must be true or false, not \"maybe\"."));
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
    }

    [Theory, AllDatabases]
    public async Task A_subject_of_another_account_is_a_422_that_reveals_nothing(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var response = await app.Client().PostJson(Url, """
            {"external_reference": {"subject_type": "Workspace", "subject_id": 900, "service_name": "jira",
             "service_model": "issue", "service_model_ref": "X"}}
            """);
        await JsonAssert.ErrorAsync(response, HttpStatusCode.UnprocessableEntity,
            ("validation", "subject_id", "Workspace 900 does not exist in your account."));
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
    }

    [Theory, AllDatabases]
    public async Task Include_subject_adds_subject_ref_and_the_subject(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var response = await app.Client().PostJson(Url + "?include=subject", """
            {"external_reference": {"subject_type": "Invoice", "subject_id": 400, "service_name": "quickbooks",
             "service_model": "Invoice", "service_model_ref": 1234}}
            """);
        await JsonAssert.ResponseAsync(response, HttpStatusCode.OK, """
            {"count": 1, "results": [{"key": "external_references", "id": "1"}],
             "external_references": {"1": {"subject_type": "Invoice", "subject_id": 400, "service_name": "quickbooks",
               "service_model": "Invoice", "service_model_ref": "1234", "status": "pending",
               "external_link": null, "external_status": null, "external_message": null,
               "locked": false, "last_synced_at": "2026-11-22T14:15:20Z", "created_at": "2026-11-22T14:15:20Z",
               "updated_at": "2026-11-22T14:15:20Z", "subject_ref": {"key": "invoices", "id": "400"}, "id": "1"}},
             "meta": {"count": 1, "page_count": 1, "page_number": 1, "page_size": 20},
             "invoices": {"400": {"name": "November", "amount_in_cents": 120000, "created_at": "2026-11-22T14:15:20Z",
               "updated_at": "2026-11-22T14:15:20Z", "id": "400"}}}
            """);
    }
}
