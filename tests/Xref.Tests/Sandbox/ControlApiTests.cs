using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.Sandbox;

/// <summary>The sandbox control API (issue 11), through HTTP, on both databases.</summary>
public sealed class ControlApiTests
{
    private const string Upsert = "/api/v1/external_references/create_or_update";

    private static string Reference(long subject, string service = "jira", string? status = null, string reference = "W-1")
    {
        var statusField = status is null ? "" : $", \"status\": \"{status}\"";
        return "{\"external_reference\": {\"subject_type\": \"Workspace\", \"subject_id\": " + subject + ", \"service_name\": \"" + service +
            "\", \"service_model\": \"issue\", \"service_model_ref\": \"" + reference + "\"" + statusField + "}}";
    }

    private static Task<XrefApp> StartAsync(string db, Dictionary<string, string?>? extra = null)
    {
        var settings = XrefApp.SandboxSettings();
        foreach (var (key, value) in extra ?? []) settings[key] = value;
        return XrefApp.StartAsync(db, settings: settings, manualClock: false);
    }

    [Theory, AllDatabases]
    public async Task Without_an_admin_token_the_control_routes_are_unknown_and_with_one_they_need_it(string db)
    {
        await using (var plain = await XrefApp.StartAsync(db))
            await JsonAssert.ErrorAsync(await plain.Client(XrefApp.AdminToken).PostAsync("/_xref/reset", null), HttpStatusCode.NotFound,
                ("system", null, "Record not found"));
        await using var app = await StartAsync(db);
        foreach (var token in new[] { null, "wrong", XrefApp.AcmeWrite })
            await JsonAssert.ErrorAsync(await app.Client(token).GetAsync("/_xref/clock"), HttpStatusCode.Unauthorized,
                ("oauth", null, "The control API needs Authorization: Bearer <admin token> (the --admin-token value)."));
        await JsonAssert.StatusAsync(await app.Control().GetAsync("/_xref/clock"), HttpStatusCode.OK);
    }

    [Theory, AllDatabases]
    public async Task Reset_restores_the_start_up_state_exactly_and_ids_start_again(string db)
    {
        await using var app = await StartAsync(db);
        var pristine = await DatabaseDump.TakeAsync(app);
        var acme = app.Client();
        var first = await JsonAssert.StatusAsync(await acme.PostJson(Upsert, Reference(100)), HttpStatusCode.OK);
        Assert.Equal("1", first["results"]![0]!["id"]!.GetValue<string>());
        await JsonAssert.StatusAsync(await acme.PostJson("/api/v1/status_reports",
            """{"status_report": {"workspace_id": 100, "color": "green", "description": "fine"}}"""), HttpStatusCode.OK);
        await app.ExecuteSqlAsync("INSERT INTO api_tokens (account_id, user_id, token_hash, scope, created_at) VALUES (1, 10, 'made-since', 'write', 0)");
        await JsonAssert.StatusAsync(await app.Control().PostJson("/_xref/faults", """{"path": "/api/v1/status_reports"}"""), HttpStatusCode.Created);
        Assert.NotEqual(pristine, await DatabaseDump.TakeAsync(app));

        var reset = await app.Control().PostAsync("/_xref/reset", null);
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(pristine, await DatabaseDump.TakeAsync(app));
        Assert.Equal("""{"faults":[]}""", await (await app.Control().GetAsync("/_xref/faults")).Content.ReadAsStringAsync());
        var again = await JsonAssert.StatusAsync(await acme.PostJson(Upsert, Reference(101)), HttpStatusCode.OK);
        Assert.Equal("1", again["results"]![0]!["id"]!.GetValue<string>());
        var rule = await JsonAssert.StatusAsync(await app.Control().PostJson("/_xref/faults", """{"path": "/x"}"""), HttpStatusCode.Created);
        Assert.Equal(1, rule["id"]!.GetValue<long>());
    }

    [Theory, AllDatabases]
    public async Task A_page_another_node_remembers_is_not_served_after_a_reset_through_this_one(string db)
    {
        await using var app = await StartAsync(db);
        await JsonAssert.StatusAsync(await app.Client().PostJson(Upsert, Reference(100, status: "failed")), HttpStatusCode.OK);
        await using var other = app.Restart("");
        using var otherClient = other.CreateClient();
        otherClient.DefaultRequestHeaders.Authorization = new("Bearer", XrefApp.AcmeWrite);
        const string poll = "/api/v1/external_references?subject_type=Workspace&status=failed";
        for (var i = 0; i < 3; i++)  // the third is served from the other node's memory
            Assert.Contains("\"service_name\":\"jira\"", await otherClient.GetStringAsync(poll));

        // The reset restarts the ids; the same number of writes follows, with other data.
        Assert.Equal(HttpStatusCode.NoContent, (await app.Control().PostAsync("/_xref/reset", null)).StatusCode);
        await JsonAssert.StatusAsync(await app.Client().PostJson(Upsert, Reference(100, "asana", status: "failed")), HttpStatusCode.OK);
        var afterReset = JsonNode.Parse(await otherClient.GetStringAsync(poll))!;
        Assert.Equal(1, afterReset["count"]!.GetValue<long>());
        Assert.Equal("asana", afterReset["external_references"]!["1"]!["service_name"]!.GetValue<string>());
    }

    [Theory, AllDatabases]
    public async Task Reset_to_a_seed_document_and_a_bad_one_changes_nothing(string db)
    {
        await using var app = await StartAsync(db);
        const string seed = """{"accounts": [{"id": 7, "name": "Fresh", "users": [{"id": 70, "tokens": [{"token": "fresh-token", "scope": "write"}]}], "subjects": {"Story": [{"id": 5}]}}]}""";
        Assert.Equal(HttpStatusCode.NoContent, (await app.Control().PostJson("/_xref/reset", $$"""{"seed": {{seed}}}""")).StatusCode);
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM accounts"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client().GetAsync("/api/v1/external_references?subject_type=Story")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client("fresh-token").GetAsync("/api/v1/external_references?subject_type=Story")).StatusCode);

        var before = await DatabaseDump.TakeAsync(app);
        var bad = await app.Control().PostJson("/_xref/reset", """{"seed": {"accounts": [{"id": 1, "name": "A", "subjects": {"Projekt": [{"id": 1}]}}]}}""");
        var body = await JsonAssert.StatusAsync(bad, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("$.seed.accounts[0].subjects.Projekt", body["errors"]![0]!["field"]!.GetValue<string>());
        Assert.Equal(before, await DatabaseDump.TakeAsync(app));
    }

    [Theory, AllDatabases]
    public async Task Seed_applies_on_top_in_one_transaction_and_names_the_first_problem(string db)
    {
        await using var app = await StartAsync(db);
        var applied = await JsonAssert.StatusAsync(await app.Control().PostJson("/_xref/seed",
            """{"accounts": [{"id": 1, "name": "Acme Consulting", "subjects": {"Workspace": [{"id": 150, "title": "New"}]}}, {"id": 3, "name": "Initech", "users": [{"id": 30, "tokens": [{"token": "initech", "scope": "read"}]}]}]}"""),
            HttpStatusCode.OK);
        JsonAssert.Equal("""{"accounts":[1,3],"users":[30],"tokens":1,"subjects":{"Workspace":[150]}}""", applied.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, (await app.Client("initech").GetAsync("/api/v1/external_references?subject_type=Workspace")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client().PostJson(Upsert, Reference(150))).StatusCode);

        var before = await DatabaseDump.TakeAsync(app);
        // Valid on its own, but user 10 belongs to account 1: nothing of it may stay (account 4 included).
        var conflict = await app.Control().PostJson("/_xref/seed", """{"accounts": [{"id": 4, "name": "Thief", "users": [{"id": 10}]}]}""");
        var error = await JsonAssert.StatusAsync(conflict, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("user 10 already belongs to account 1", error["errors"]![0]!["message"]!.GetValue<string>());
        var malformed = await JsonAssert.StatusAsync(await app.Control().PostJson("/_xref/seed", """{"accounts": [{"id": 5}]}"""), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("$.accounts[0]", malformed["errors"]![0]!["field"]!.GetValue<string>());
        Assert.Equal(before, await DatabaseDump.TakeAsync(app));
    }

    [Theory, AllDatabases]
    public async Task A_fault_answers_instead_of_the_api_writes_nothing_and_counts_down(string db)
    {
        await using var app = await StartAsync(db);
        var rule = await JsonAssert.StatusAsync(await app.Control().PostJson("/_xref/faults",
            """{"method": "POST", "path": "/api/v1/external_references/create_or_update", "status": 503, "times": 2}"""), HttpStatusCode.Created);
        JsonAssert.Equal("""{"id":1,"method":"POST","path":"/api/v1/external_references/create_or_update","account_id":null,"status":503,"latency_ms":0,"times":2,"probability":1}""",
            rule.ToJsonString());
        var before = await DatabaseDump.TakeAsync(app);
        for (var i = 0; i < 2; i++)
        {
            var faulted = await app.Client().PostJson("/api/v1/external_references/create_or_update.json/", Reference(100));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, faulted.StatusCode);
            Assert.NotNull(faulted.Headers.RetryAfter);
            var error = JsonNode.Parse(await faulted.Content.ReadAsStringAsync())!["errors"]![0]!;
            Assert.Equal("system", error["type"]!.GetValue<string>());
        }
        Assert.Equal(before, await DatabaseDump.TakeAsync(app));
        // A read-only token still gets its 403 first; that request is not counted.
        await JsonAssert.StatusAsync(await app.Control().PostJson("/_xref/faults", """{"path": "/api/v1/*", "status": 429}"""), HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.Client(XrefApp.AcmeRead).PostJson(Upsert, Reference(100))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await app.Client().GetAsync("/api/v1/external_references?subject_type=Workspace")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await app.Control().DeleteAsync("/_xref/faults/2")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client().PostJson(Upsert, Reference(100))).StatusCode);
        Assert.Equal("""{"faults":[]}""", await (await app.Control().GetAsync("/_xref/faults")).Content.ReadAsStringAsync());
        await app.Control().PostJson("/_xref/faults", """{"path": "/api/v1/*", "status": 500}""");
        Assert.Equal(HttpStatusCode.NoContent, (await app.Control().DeleteAsync("/_xref/faults")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client().GetAsync("/api/v1/external_references?subject_type=Workspace")).StatusCode);
    }

    [Theory, AllDatabases]
    public async Task A_latency_rule_delays_and_then_serves(string db)
    {
        await using var app = await StartAsync(db);
        await JsonAssert.StatusAsync(await app.Control().PostJson("/_xref/faults", """{"path": "/api/v1/external_references", "latency_ms": 400, "account_id": 1}"""), HttpStatusCode.Created);
        var watch = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.OK, (await app.Client().GetAsync("/api/v1/external_references?subject_type=Workspace")).StatusCode);
        Assert.True(watch.ElapsedMilliseconds >= 400, $"{watch.ElapsedMilliseconds} ms");
        watch.Restart();
        Assert.Equal(HttpStatusCode.OK, (await app.Client(XrefApp.OtherWrite).GetAsync("/api/v1/external_references?subject_type=Workspace")).StatusCode);
        Assert.True(watch.ElapsedMilliseconds < 400, $"another account was delayed: {watch.ElapsedMilliseconds} ms");
        var bad = await app.Control().PostJson("/_xref/faults", """{"path": "api", "status": 200, "probability": 2}""");
        var errors = (await JsonAssert.StatusAsync(bad, HttpStatusCode.UnprocessableEntity))["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>());
        Assert.Equal(["path", "status", "probability"], errors);
    }

    [Theory, AllDatabases]
    public async Task The_clock_drives_timestamps_and_date_filters(string db)
    {
        await using var app = await StartAsync(db);
        var frozen = await JsonAssert.StatusAsync(await app.Control().PostJson("/_xref/clock", """{"now": "2030-01-01T00:00:00Z"}"""), HttpStatusCode.OK);
        JsonAssert.Equal("""{"now":"2030-01-01T00:00:00Z","frozen":true}""", frozen.ToJsonString());
        var created = await JsonAssert.StatusAsync(await app.Client().PostJson(Upsert, Reference(100)), HttpStatusCode.OK);
        Assert.Equal("2030-01-01T00:00:00Z", created["external_references"]!["1"]!["created_at"]!.GetValue<string>());
        var advanced = await JsonAssert.StatusAsync(await app.Control().PostJson("/_xref/clock", """{"advance_seconds": 3600}"""), HttpStatusCode.OK);
        Assert.Equal("2030-01-01T01:00:00Z", advanced["now"]!.GetValue<string>());
        await JsonAssert.StatusAsync(await app.Client().PostJson(Upsert, Reference(101)), HttpStatusCode.OK);
        var later = await JsonAssert.StatusAsync(await app.ListAsync("subject_type=Workspace&created_after=2030-01-01T00:30:00Z"), HttpStatusCode.OK);
        Assert.Equal(1, later["count"]!.GetValue<long>());
        Assert.Equal("2030-01-01T01:00:00Z", later["external_references"]!["2"]!["last_synced_at"]!.GetValue<string>());
        var real = await JsonAssert.StatusAsync(await app.Control().PostJson("/_xref/clock", """{"real": true}"""), HttpStatusCode.OK);
        Assert.False(real["frozen"]!.GetValue<bool>());
        await JsonAssert.StatusAsync(await app.Control().PostJson("/_xref/clock", """{"now": "yesterday"}"""), HttpStatusCode.UnprocessableEntity);
    }

    [Theory, AllDatabases]
    public async Task A_transition_moves_a_reference_when_it_falls_due_visible_to_counts_and_filters(string db)
    {
        await using var app = await StartAsync(db);
        await app.Control().PostJson("/_xref/clock", """{"now": "2030-01-01T00:00:00Z"}""");
        await JsonAssert.StatusAsync(await app.Client().PostJson(Upsert, Reference(101, status: "pending")), HttpStatusCode.OK);
        var rule = await JsonAssert.StatusAsync(await app.Control().PostJson("/_xref/transitions",
            """{"service_name": "jira", "from": "pending", "to": "failed", "after_seconds": 60, "external_status": "Rejected", "external_message": "Project is closed"}"""),
            HttpStatusCode.Created);
        JsonAssert.Equal("""{"id":1,"service_name":"jira","subject_type":null,"from":"pending","to":"failed","after_seconds":60,"external_status":"Rejected","external_message":"Project is closed"}""",
            rule.ToJsonString());
        JsonAssert.Equal($$"""{"transitions":[{{rule.ToJsonString()}}]}""", await (await app.Control().GetAsync("/_xref/transitions")).Content.ReadAsStringAsync());
        // Already pending before the rule: not moved. Entering pending after it: moved 60 s later.
        await JsonAssert.StatusAsync(await app.Client().PostJson(Upsert, Reference(100, status: "pending")), HttpStatusCode.OK);
        await app.Control().PostJson("/_xref/clock", """{"advance_seconds": 59}""");
        Assert.Equal(0, (await JsonAssert.StatusAsync(await app.ListAsync("subject_type=Workspace&status=failed&service_name=jira"), HttpStatusCode.OK))["count"]!.GetValue<long>());
        await app.Control().PostJson("/_xref/clock", """{"advance_seconds": 1}""");
        var failed = await JsonAssert.StatusAsync(await app.ListAsync("subject_type=Workspace&status=failed&service_name=jira"), HttpStatusCode.OK);
        Assert.Equal(1, failed["count"]!.GetValue<long>());
        var moved = failed["external_references"]!["2"]!;
        Assert.Equal(("failed", "Rejected", "Project is closed", "2030-01-01T00:01:00Z", "2030-01-01T00:01:00Z"),
            (moved["status"]!.GetValue<string>(), moved["external_status"]!.GetValue<string>(), moved["external_message"]!.GetValue<string>(),
             moved["last_synced_at"]!.GetValue<string>(), moved["updated_at"]!.GetValue<string>()));
        var stillPending = await JsonAssert.StatusAsync(await app.ListAsync("subject_type=Workspace&status=pending"), HttpStatusCode.OK);
        Assert.Equal(1, stillPending["count"]!.GetValue<long>());

        // Deleting a rule cancels its moves.
        await app.Client().PostJson(Upsert, Reference(100, status: "pending"));
        Assert.Equal(HttpStatusCode.NoContent, (await app.Control().DeleteAsync("/_xref/transitions/1")).StatusCode);
        await app.Control().PostJson("/_xref/clock", """{"advance_seconds": 120}""");
        Assert.Equal(0, (await JsonAssert.StatusAsync(await app.ListAsync("subject_type=Workspace&status=failed"), HttpStatusCode.OK))["count"]!.GetValue<long>());
    }

    [Theory, AllDatabases]
    public async Task The_journal_keeps_api_requests_newest_first_and_never_a_token(string db)
    {
        await using var app = await StartAsync(db, new() { ["journal-bodies"] = "true" });
        await app.Client().PostJson(Upsert, Reference(100));
        await app.Client("no-such-token").GetAsync("/api/v1/external_references?subject_type=Workspace&per_page=5");
        await app.Client().GetAsync("/health");
        var journal = await JsonAssert.StatusAsync(await app.Control().GetAsync("/_xref/requests"), HttpStatusCode.OK);
        var text = journal.ToJsonString();
        foreach (var secret in new[] { XrefApp.AcmeWrite, "no-such-token", XrefApp.AdminToken, "Bearer" }) Assert.DoesNotContain(secret, text);
        var requests = journal["requests"]!.AsArray();
        Assert.Equal(2, requests.Count);
        Assert.Equal(("GET", "/api/v1/external_references", "subject_type=Workspace&per_page=5", 401),
            (requests[0]!["method"]!.GetValue<string>(), requests[0]!["path"]!.GetValue<string>(), requests[0]!["query"]!.GetValue<string>(), requests[0]!["status"]!.GetValue<int>()));
        Assert.Null(requests[0]!["account_id"]);
        Assert.Equal((1L, 200), (requests[1]!["account_id"]!.GetValue<long>(), requests[1]!["status"]!.GetValue<int>()));
        Assert.Contains("\"service_model_ref\": \"W-1\"", requests[1]!["request_body"]!.GetValue<string>());
        Assert.StartsWith("{\"count\":1,", requests[1]!["response_body"]!.GetValue<string>());
        Assert.Single((await JsonAssert.StatusAsync(await app.Control().GetAsync("/_xref/requests?limit=5&account_id=1"), HttpStatusCode.OK))["requests"]!.AsArray());
        Assert.Equal(HttpStatusCode.NoContent, (await app.Control().DeleteAsync("/_xref/requests")).StatusCode);
        Assert.Equal("""{"requests":[]}""", await (await app.Control().GetAsync("/_xref/requests")).Content.ReadAsStringAsync());
    }

    [Theory, AllDatabases]
    public async Task After_a_reset_the_same_requests_give_byte_identical_responses(string db)
    {
        await using var app = await StartAsync(db);
        async Task<List<string>> RunAsync()
        {
            Assert.Equal(HttpStatusCode.NoContent, (await app.Control().PostAsync("/_xref/reset", null)).StatusCode);
            await app.Control().PostJson("/_xref/clock", """{"now": "2031-06-01T12:00:00Z"}""");
            var acme = app.Client();
            var bodies = new List<string>();
            async Task Keep(Task<HttpResponseMessage> call) => bodies.Add(await (await call).Content.ReadAsStringAsync());
            await Keep(acme.PostJson(Upsert, Reference(100, status: "pending")));
            await app.Control().PostJson("/_xref/clock", """{"advance_seconds": 5}""");
            await Keep(acme.PostJson(Upsert + "?include=subject", Reference(101, "asana")));
            await Keep(acme.PostJson("/api/v1/status_reports?include=creator,workspace,external_references",
                """{"status_report": {"workspace_id": 100, "color": "red", "description": "late", "external_reference": {"service_name": "jira", "service_model": "epic", "service_model_ref": "E-1"}}}"""));
            await Keep(acme.GetAsync("/api/v1/external_references?subject_type=Workspace&include=subject"));
            await Keep(acme.DeleteAsync("/api/v1/external_references/1"));
            await Keep(acme.GetAsync("/api/v1/status_reports?include=external_references"));
            return bodies;
        }
        var first = await RunAsync();
        var second = await RunAsync();
        Assert.Equal(first, second);
        Assert.Contains("\"id\":\"1\"", first[0]);
    }

    [Fact]
    public async Task An_in_memory_sandbox_touches_no_disk_and_works()
    {
        var here = Directory.GetFileSystemEntries(Environment.CurrentDirectory).Order().ToList();
        await using (var app = await XrefApp.StartAsync("sqlite", seed: null, settings: new() { ["database"] = "memory", ["sandbox"] = "true" }, manualClock: false))
        {
            var demoToken = app.Services.GetService(typeof(Xref.Seeding.StartupSeed)) is Xref.Seeding.StartupSeed s ? s.DemoToken : null;
            Assert.NotNull(demoToken);
            Assert.Equal(HttpStatusCode.OK, (await app.Client(demoToken).PostJson(Upsert, Reference(100))).StatusCode);
            var listed = await JsonAssert.StatusAsync(await app.Client(demoToken).GetAsync("/api/v1/external_references?subject_type=Workspace"), HttpStatusCode.OK);
            Assert.Equal(1, listed["count"]!.GetValue<long>());
            var options = (Microsoft.Extensions.Options.IOptions<Xref.Hosting.XrefOptions>)app.Services.GetService(typeof(Microsoft.Extensions.Options.IOptions<Xref.Hosting.XrefOptions>))!;
            Assert.Equal(HttpStatusCode.NoContent, (await app.Client(options.Value.AdminToken).PostAsync("/_xref/reset", null)).StatusCode);
            Assert.Equal(0, (await JsonAssert.StatusAsync(await app.Client(demoToken).GetAsync("/api/v1/external_references?subject_type=Workspace"), HttpStatusCode.OK))["count"]!.GetValue<long>());
            Assert.Equal("off", options.Value.RateLimit);
        }
        // No ./data folder, no file named "memory" or ":memory:": nothing was created where the server ran.
        Assert.Equal(here, Directory.GetFileSystemEntries(Environment.CurrentDirectory).Order().ToList());
    }
}
