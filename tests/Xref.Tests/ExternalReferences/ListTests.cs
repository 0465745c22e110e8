using System.Net;
using System.Text.Json.Nodes;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.ExternalReferences;

/// <summary>GET /external_references: the envelope and every filter of seed 002 (contract §2, §3, §5, §8).</summary>
public sealed class ListTests
{
    private const string SubjectTypeList = "Assignment, BillingMilestone, CustomField, CustomFieldChoice, CustomFieldSet, CustomFieldValue, Estimate, EstimateScenario, EstimateScenarioResource, Expense, ExpenseBudget, Invoice, Participation, Post, RateCard, Role, Skill, StatusReport, Story, StoryAllocationDay, Submission, SurveyAnswer, SurveyQuestion, SurveyResponse, SurveyTemplate, TimeEntry, TimeOffEntry, User, Vendor, Workspace, WorkspaceAllocation, WorkspaceGroup, WorkspaceResource";

    /// <summary>
    /// Three Workspace references whose created_at, updated_at and last_synced_at orders all differ, plus a Story
    /// reference and one in account 2 that a Workspace list of account 1 must never show.
    /// t0 = 14:15:20Z. R1: created t0, updated t0+40, synced t0+40. R2: created t0+10, updated t0+10, synced t0+50
    /// (set in the database). R3: created, updated and synced t0+20.
    /// </summary>
    private sealed record Scenario(XrefApp App, Ref R1, Ref R2, Ref R3, Ref Story, Ref Foreign) : IAsyncDisposable
    {
        public static async Task<Scenario> StartAsync(string db)
        {
            var app = await XrefApp.StartAsync(db);
            var r1 = await app.CreateRefAsync(new Ref
            {
                SubjectId = 100, ServiceName = "jira", ServiceModel = "issue", ServiceModelRef = "WEB-1", Status = "failed",
                ExternalStatus = "Open", ExternalMessage = "boom", ExternalLink = "https://jira.example/browse/WEB-1",
            });
            app.Tick(10);
            var r2 = await app.CreateRefAsync(new Ref
            {
                SubjectId = 101, ServiceName = "salesforce", ServiceModel = "Opportunity", ServiceModelRef = "006-1",
                Status = "successful", ExternalStatus = "Closed", ExternalMessage = "ok", Locked = true,
            });
            app.Tick(10);
            var r3 = await app.CreateRefAsync(new Ref
            {
                SubjectId = 100, ServiceName = "salesforce", ServiceModel = "Opportunity", ServiceModelRef = "WEB-1",
            });
            app.Tick(10);
            var story = await app.CreateRefAsync(new Ref { SubjectType = "Story", SubjectId = 200, ServiceName = "jira", Status = "failed" });
            var foreign = await app.CreateRefAsync(new Ref
            {
                SubjectId = 900, ServiceName = "jira", ServiceModel = "issue", ServiceModelRef = "WEB-1", Status = "failed",
                ExternalStatus = "Open", ExternalMessage = "boom",
            }, XrefApp.OtherWrite);
            app.Tick(10);
            r1 = await app.TouchRefAsync(r1);
            var synced = ManualClock.Start.AddSeconds(50);
            await app.ExecuteSqlAsync("UPDATE external_references SET last_synced_at = @t WHERE id = @id",
                new { t = synced.ToUnixTimeSeconds(), id = r2.Id });
            r2 = r2 with { LastSyncedAt = synced };
            return new Scenario(app, r1, r2, r3, story, foreign);
        }

        public Task<HttpResponseMessage> ListAsync(string query) => App.ListAsync(query);

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    private static Task Expect(HttpResponseMessage response, params Ref[] page) =>
        JsonAssert.ResponseAsync(response, HttpStatusCode.OK, Expected.List(page));

    [Theory, AllDatabases]
    public async Task An_empty_list_is_the_exact_empty_envelope(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var response = await app.ListAsync("subject_type=Workspace");
        await JsonAssert.ResponseAsync(response, HttpStatusCode.OK, Expected.EmptyList);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(Expected.EmptyList, await response.Content.ReadAsStringAsync());
    }

    [Theory, AllDatabases]
    public async Task Lists_the_type_asked_for_newest_sync_first(string db)
    {
        await using var s = await Scenario.StartAsync(db);
        await Expect(await s.ListAsync("subject_type=Workspace"), s.R2, s.R1, s.R3);
        await Expect(await s.ListAsync("subject_type=Story"), s.Story);
        await Expect(await s.ListAsync("subject_type=Invoice"));
    }

    [Theory, AllDatabases]
    public async Task Unknown_query_parameters_are_ignored(string db)
    {
        await using var s = await Scenario.StartAsync(db);
        await Expect(await s.ListAsync("subject_type=Workspace&foo=bar&filters=&optional_fields=x"), s.R2, s.R1, s.R3);
    }

    [Theory, AllDatabases]
    public async Task Filters_by_subject_id(string db)
    {
        await using var s = await Scenario.StartAsync(db);
        await Expect(await s.ListAsync("subject_type=Workspace&subject_id=100"), s.R1, s.R3);
        await Expect(await s.ListAsync("subject_type=Workspace&subject_id=101"), s.R2);
        await Expect(await s.ListAsync("subject_type=Workspace&subject_id=102"));
        // The foreign account's subject: never its reference.
        await Expect(await s.ListAsync("subject_type=Workspace&subject_id=900"));
    }

    [Theory, AllDatabases]
    public async Task A_non_numeric_subject_id_matches_nothing(string db)
    {
        await using var s = await Scenario.StartAsync(db);
        foreach (var value in new[] { "abc", "100abc", "-100", "1.0", "%2B100", "0x64", "99999999999999999999999" })
            await Expect(await s.ListAsync("subject_type=Workspace&subject_id=" + value));
    }

    [Theory, AllDatabases]
    public async Task Filters_by_service_name(string db)
    {
        await using var s = await Scenario.StartAsync(db);
        await Expect(await s.ListAsync("subject_type=Workspace&service_name=jira"), s.R1);
        await Expect(await s.ListAsync("subject_type=Workspace&service_name=salesforce"), s.R2, s.R3);
        await Expect(await s.ListAsync("subject_type=Workspace&service_name=JIRA"));
        await Expect(await s.ListAsync("subject_type=Workspace&service_name=jir"));
        await Expect(await s.ListAsync("subject_type=Workspace&service_name=jira%20"));
    }

    [Theory, AllDatabases]
    public async Task Filters_by_service_model(string db)
    {
        await using var s = await Scenario.StartAsync(db);
        await Expect(await s.ListAsync("subject_type=Workspace&service_model=Opportunity"), s.R2, s.R3);
        await Expect(await s.ListAsync("subject_type=Workspace&service_model=issue"), s.R1);
        await Expect(await s.ListAsync("subject_type=Workspace&service_model=opportunity"));
    }

    [Theory, AllDatabases]
    public async Task Filters_by_service_model_ref(string db)
    {
        await using var s = await Scenario.StartAsync(db);
        await Expect(await s.ListAsync("subject_type=Workspace&service_model_ref=WEB-1"), s.R1, s.R3);
        await Expect(await s.ListAsync("subject_type=Workspace&service_model_ref=006-1"), s.R2);
        await Expect(await s.ListAsync("subject_type=Workspace&service_model_ref=web-1"));
    }

    [Theory, AllDatabases]
    public async Task Filters_by_status(string db)
    {
        await using var s = await Scenario.StartAsync(db);
        await Expect(await s.ListAsync("subject_type=Workspace&status=failed"), s.R1);
        await Expect(await s.ListAsync("subject_type=Workspace&status=successful"), s.R2);
        await Expect(await s.ListAsync("subject_type=Workspace&status=pending"), s.R3);
        // Not one of the enumeration: simply matches nothing.
        await Expect(await s.ListAsync("subject_type=Workspace&status=Failed"));
    }

    [Theory, AllDatabases]
    public async Task Filters_by_external_status(string db)
    {
        await using var s = await Scenario.StartAsync(db);
        await Expect(await s.ListAsync("subject_type=Workspace&external_status=Open"), s.R1);
        await Expect(await s.ListAsync("subject_type=Workspace&external_status=Closed"), s.R2);
        await Expect(await s.ListAsync("subject_type=Workspace&external_status=open"));
    }

    [Theory, AllDatabases]
    public async Task Filters_by_external_message(string db)
    {
        await using var s = await Scenario.StartAsync(db);
        await Expect(await s.ListAsync("subject_type=Workspace&external_message=boom"), s.R1);
        await Expect(await s.ListAsync("subject_type=Workspace&external_message=ok"), s.R2);
        await Expect(await s.ListAsync("subject_type=Workspace&external_message=OK"));
    }

    [Theory, AllDatabases]
    public async Task Filters_combine_with_and(string db)
    {
        await using var s = await Scenario.StartAsync(db);
        await Expect(await s.ListAsync("subject_type=Workspace&subject_id=100&service_name=salesforce"), s.R3);
        await Expect(await s.ListAsync("subject_type=Workspace&subject_id=100&service_model_ref=WEB-1&status=failed&external_status=Open&external_message=boom"), s.R1);
        await Expect(await s.ListAsync("subject_type=Workspace&subject_id=100&service_name=salesforce&status=failed"));
        await Expect(await s.ListAsync("subject_type=Workspace&service_name=salesforce&created_after=2026-11-22T14:15:30Z&last_synced_before=2026-11-22T14:16:10Z"), s.R3);
    }

    [Theory, AllDatabases]
    public async Task Created_bounds_are_exclusive(string db)
    {
        await using var s = await Scenario.StartAsync(db);
        // created: R1 14:15:20, R2 14:15:30, R3 14:15:40.
        await Expect(await s.ListAsync("subject_type=Workspace&created_after=2026-11-22T14:15:30Z"), s.R3);
        await Expect(await s.ListAsync("subject_type=Workspace&created_after=2026-11-22T14:15:29Z"), s.R2, s.R3);
        await Expect(await s.ListAsync("subject_type=Workspace&created_before=2026-11-22T14:15:30Z"), s.R1);
        await Expect(await s.ListAsync("subject_type=Workspace&created_before=2026-11-22T14:15:31Z"), s.R2, s.R1);
        await Expect(await s.ListAsync("subject_type=Workspace&created_after=2026-11-22T14:15:20Z&created_before=2026-11-22T14:15:40Z"), s.R2);
        await Expect(await s.ListAsync("subject_type=Workspace&created_after=2026-11-22T14:15:40Z"));
    }

    [Theory, AllDatabases]
    public async Task Updated_bounds_are_exclusive(string db)
    {
        await using var s = await Scenario.StartAsync(db);
        // updated: R2 14:15:30, R3 14:15:40, R1 14:16:00.
        await Expect(await s.ListAsync("subject_type=Workspace&updated_after=2026-11-22T14:15:40Z"), s.R1);
        await Expect(await s.ListAsync("subject_type=Workspace&updated_after=2026-11-22T14:15:39Z"), s.R1, s.R3);
        await Expect(await s.ListAsync("subject_type=Workspace&updated_before=2026-11-22T14:15:40Z"), s.R2);
        await Expect(await s.ListAsync("subject_type=Workspace&updated_before=2026-11-22T14:16:00Z"), s.R2, s.R3);
        await Expect(await s.ListAsync("subject_type=Workspace&updated_after=2026-11-22T14:16:00Z"));
    }

    [Theory, AllDatabases]
    public async Task Last_synced_bounds_are_exclusive(string db)
    {
        await using var s = await Scenario.StartAsync(db);
        // last synced: R3 14:15:40, R1 14:16:00, R2 14:16:10.
        await Expect(await s.ListAsync("subject_type=Workspace&last_synced_after=2026-11-22T14:16:00Z"), s.R2);
        await Expect(await s.ListAsync("subject_type=Workspace&last_synced_after=2026-11-22T14:15:59Z"), s.R2, s.R1);
        await Expect(await s.ListAsync("subject_type=Workspace&last_synced_before=2026-11-22T14:16:00Z"), s.R3);
        await Expect(await s.ListAsync("subject_type=Workspace&last_synced_before=2026-11-22T14:16:10Z"), s.R1, s.R3);
        await Expect(await s.ListAsync("subject_type=Workspace&last_synced_after=2026-11-22T14:15:40Z&last_synced_before=2026-11-22T14:16:10Z"), s.R1);
    }

    [Theory, AllDatabases]
    public async Task A_timestamp_the_client_was_shown_never_returns_that_record(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        app.Tick(0.9); // 14:15:20.9 is stored as 14:15:20
        var r = await app.CreateRefAsync(new Ref());
        await JsonAssert.ResponseAsync(await app.ListAsync("subject_type=Workspace&created_after=" + Expected.Time(r.CreatedAt)), HttpStatusCode.OK, Expected.EmptyList);
        await JsonAssert.ResponseAsync(await app.ListAsync("subject_type=Workspace&last_synced_after=" + Expected.Time(r.LastSyncedAt)), HttpStatusCode.OK, Expected.EmptyList);
        await JsonAssert.ResponseAsync(await app.ListAsync("subject_type=Workspace&updated_before=" + Expected.Time(r.UpdatedAt)), HttpStatusCode.OK, Expected.EmptyList);
        await Expect(await app.ListAsync("subject_type=Workspace&created_before=2026-11-22T14:15:21Z"), r);
    }

    [Theory, AllDatabases]
    public async Task Datetime_filters_accept_dates_offsets_and_fractions(string db)
    {
        await using var s = await Scenario.StartAsync(db);
        // Each of these means 14:15:30Z, R2's created_at: "after" gives R3 alone, "before" gives R1 alone.
        string[] sameMoment =
        [
            "2026-11-22T14:15:30Z",
            "2026-11-22T16:15:30%2B02:00",
            "2026-11-22T16:15:30%2B0200",
            "2026-11-22T16:15:30+02:00", // unencoded '+' arrives as a space
            "2026-11-22T16:15:30+0200",
            "2026-11-22T09:15:30-05:00",
            "2026-11-22T09:15:30-0500",
            "2026-11-22T14:15:30", // no offset: UTC
            "2026-11-22T14:15:30.000Z",
            "2026-11-22T14:15:30%2B00:00",
        ];
        foreach (var moment in sameMoment)
        {
            await Expect(await s.ListAsync("subject_type=Workspace&created_after=" + moment), s.R3);
            await Expect(await s.ListAsync("subject_type=Workspace&created_before=" + moment), s.R1);
        }
        // Fractions compare exactly: 14:15:29.5 < 14:15:30 < 14:15:30.5.
        await Expect(await s.ListAsync("subject_type=Workspace&created_after=2026-11-22T14:15:29.5Z"), s.R2, s.R3);
        await Expect(await s.ListAsync("subject_type=Workspace&created_after=2026-11-22T14:15:30.5Z"), s.R3);
        await Expect(await s.ListAsync("subject_type=Workspace&created_before=2026-11-22T14:15:30.5Z"), s.R2, s.R1);
        await Expect(await s.ListAsync("subject_type=Workspace&created_before=2026-11-22T14:15:30.123456789Z"), s.R2, s.R1);
        // Minutes only, and a date alone (midnight UTC).
        await Expect(await s.ListAsync("subject_type=Workspace&created_after=2026-11-22T14:15Z"), s.R2, s.R1, s.R3);
        await Expect(await s.ListAsync("subject_type=Workspace&created_before=2026-11-22T14:16"), s.R2, s.R1, s.R3);
        await Expect(await s.ListAsync("subject_type=Workspace&created_after=2026-11-22"), s.R2, s.R1, s.R3);
        await Expect(await s.ListAsync("subject_type=Workspace&created_before=2026-11-23"), s.R2, s.R1, s.R3);
        await Expect(await s.ListAsync("subject_type=Workspace&created_before=2026-11-22"));
        await Expect(await s.ListAsync("subject_type=Workspace&created_after=2026-11-23"));
        // An offset that moves the date: 2026-11-23T00:15:30+10:00 is 14:15:30Z.
        await Expect(await s.ListAsync("subject_type=Workspace&created_after=2026-11-23T00:15:30%2B10:00"), s.R3);
    }

    [Theory, AllDatabases]
    public async Task A_bad_datetime_is_a_400_naming_the_parameter(string db)
    {
        await using var s = await Scenario.StartAsync(db);
        string[] parameters = ["created_after", "created_before", "updated_after", "updated_before", "last_synced_after", "last_synced_before"];
        foreach (var parameter in parameters)
            await JsonAssert.ErrorAsync(await s.ListAsync($"subject_type=Workspace&{parameter}=yesterday"), HttpStatusCode.BadRequest,
                ("validation", parameter, $"{parameter} must be an ISO 8601 datetime such as 2026-11-22T14:15:20Z (or with an offset like +02:00) or a date such as 2026-11-22, not \"yesterday\"."));
        string[] bad =
        [
            "2026-13-01", "2026-02-30", "2026-11-22T24:00Z", "2026-11-22T14:60Z", "2026-11-22T14:15:61Z", "2026-11-22 14:15:30",
            "22/11/2026", "1764000000", "2026-11-22T14:15:30%2B25:00", "2026-11-22T14Z", "2026-11-22T14:15:30ZZ", "2026-1-2",
        ];
        foreach (var value in bad)
        {
            var response = await s.ListAsync("subject_type=Workspace&created_after=" + value);
            var shown = Uri.UnescapeDataString(value);
            await JsonAssert.ErrorAsync(response, HttpStatusCode.BadRequest,
                ("validation", "created_after", $"created_after must be an ISO 8601 datetime such as 2026-11-22T14:15:20Z (or with an offset like +02:00) or a date such as 2026-11-22, not \"{shown}\"."));
        }
    }

    [Theory, AllDatabases]
    public async Task Percent_and_underscore_are_plain_characters(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var percent = await app.CreateRefAsync(new Ref { ServiceName = "a", ServiceModelRef = "100%", ExternalMessage = "50% done" });
        var hundred = await app.CreateRefAsync(new Ref { ServiceName = "b", ServiceModelRef = "1000", ExternalMessage = "50 done" });
        var underscore = await app.CreateRefAsync(new Ref { ServiceName = "c_d", ServiceModelRef = "a_c" });
        var abc = await app.CreateRefAsync(new Ref { ServiceName = "cxd", ServiceModelRef = "abc" });
        // Same second: default order falls back to id ASC.
        await Expect(await app.ListAsync("subject_type=Workspace&service_model_ref=100%25"), percent);
        await Expect(await app.ListAsync("subject_type=Workspace&service_model_ref=%25"));
        await Expect(await app.ListAsync("subject_type=Workspace&service_model_ref=1%25"));
        await Expect(await app.ListAsync("subject_type=Workspace&service_model_ref=a_c"), underscore);
        await Expect(await app.ListAsync("subject_type=Workspace&service_model_ref=___"));
        await Expect(await app.ListAsync("subject_type=Workspace&service_name=c_d"), underscore);
        await Expect(await app.ListAsync("subject_type=Workspace&service_name=_"));
        await Expect(await app.ListAsync("subject_type=Workspace&external_message=50%25 done"), percent);
        await Expect(await app.ListAsync("subject_type=Workspace&external_message=50%25"));
        await Expect(await app.ListAsync("subject_type=Workspace"), percent, hundred, underscore, abc);
    }

    [Theory, AllDatabases]
    public async Task Subject_type_is_required_and_must_be_known(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var required = ("validation", "subject_type", $"subject_type is required; one of {SubjectTypeList}.");
        await JsonAssert.ErrorAsync(await app.Client().GetAsync(Expected.ListUrl), HttpStatusCode.BadRequest, required);
        await JsonAssert.ErrorAsync(await app.ListAsync("subject_type="), HttpStatusCode.BadRequest, required);
        await JsonAssert.ErrorAsync(await app.ListAsync("subject_type=%20"), HttpStatusCode.BadRequest, required);
        await JsonAssert.ErrorAsync(await app.ListAsync("service_name=jira"), HttpStatusCode.BadRequest, required);
        foreach (var unknown in new[] { "Project", "workspace", "Workspaces", "WORKSPACE" })
            await JsonAssert.ErrorAsync(await app.ListAsync("subject_type=" + unknown), HttpStatusCode.BadRequest,
                ("validation", "subject_type", $"subject_type must be one of {SubjectTypeList}, not \"{unknown}\"."));
    }

    [Theory, AllDatabases]
    public async Task Every_subject_type_can_be_listed(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        foreach (var type in SubjectTypeList.Split(", "))
            await JsonAssert.ResponseAsync(await app.ListAsync("subject_type=" + type + "&include=subject"), HttpStatusCode.OK, Expected.EmptyList);
    }

    [Theory, AllDatabases]
    public async Task Include_subject_adds_subject_refs_and_the_subjects(string db)
    {
        await using var s = await Scenario.StartAsync(db);
        var workspaces = new JsonObject
        {
            ["workspaces"] = JsonNode.Parse("""
                {"100": {"title": "Website relaunch", "description": "New site", "archived": false,
                         "created_at": "2026-11-22T14:15:20Z", "updated_at": "2026-11-22T14:15:20Z", "creator_id": "10", "id": "100"},
                 "101": {"title": "ERP migration", "description": null, "archived": false,
                         "created_at": "2026-11-22T14:15:20Z", "updated_at": "2026-11-22T14:15:20Z", "creator_id": null, "id": "101"}}
                """),
        };
        var one = new JsonObject { ["workspaces"] = new JsonObject { ["101"] = workspaces["workspaces"]!["101"]!.DeepClone() } };
        var response = await s.ListAsync("subject_type=Workspace&include=subject");
        await JsonAssert.ResponseAsync(response, HttpStatusCode.OK,
            Expected.ListWith(workspaces, s.R2.WithSubject("workspaces"), s.R1.WithSubject("workspaces"), s.R3.WithSubject("workspaces")));

        // Only the subjects of the page; unknown include names are ignored; names are matched exactly.
        await JsonAssert.ResponseAsync(await s.ListAsync("subject_type=Workspace&subject_id=101&include=creator,subject,foo"), HttpStatusCode.OK,
            Expected.ListWith(one, s.R2.WithSubject("workspaces")));
        await Expect(await s.ListAsync("subject_type=Workspace&include=Subject"), s.R2, s.R1, s.R3);
        await Expect(await s.ListAsync("subject_type=Workspace&include=%20subject"), s.R2, s.R1, s.R3);
        await Expect(await s.ListAsync("subject_type=Workspace&include[]=subject"), s.R2, s.R1, s.R3);

        // No reference on the page: no polymorphic key at all.
        await JsonAssert.ResponseAsync(await s.ListAsync("subject_type=Invoice&include=subject"), HttpStatusCode.OK, Expected.EmptyList);
    }

    [Theory, AllDatabases]
    public async Task Include_subject_of_another_type_uses_its_collection_key(string db)
    {
        await using var s = await Scenario.StartAsync(db);
        var stories = new JsonObject
        {
            ["stories"] = JsonNode.Parse("""
                {"200": {"title": "Design review", "created_at": "2026-11-22T14:15:20Z", "updated_at": "2026-11-22T14:15:20Z", "id": "200"}}
                """),
        };
        await JsonAssert.ResponseAsync(await s.ListAsync("subject_type=Story&include=subject"), HttpStatusCode.OK,
            Expected.ListWith(stories, s.Story.WithSubject("stories")));
    }
}
