using System.Net;
using Xref.Tests.Infrastructure;
using Xref.Tests.OAuth;

namespace Xref.Tests.Operations;

/// <summary>
/// <c>xref export</c> of a whole database (or one account) and <c>xref import</c> of it into an empty one, through the
/// real CLI: byte-identical round trips between the two databases, tokens only when asked, one account alone, and
/// rejected lines grouped by reason.
/// </summary>
public sealed class WholeDatabaseExportTests
{
    private const string Upsert = "/api/v1/external_references/create_or_update";
    private const string Reports = "/api/v1/status_reports";

    /// <summary>The OAuth seed (account 1 with an application), account 2 with auto_subjects, attributes JSON must keep exactly.</summary>
    private static readonly string Seed = OAuthKit.Seed()
        .Replace("{\"id\": 2, \"name\": \"Globex\",", "{\"id\": 2, \"name\": \"Globex\", \"auto_subjects\": true,")
        .Replace("\"TimeEntry\": [{\"id\": 300}]", "\"TimeEntry\": [{\"id\": 300, \"note\": \"Caf\u00e9 <b> \\\"q\\\" \u2713\", \"hours\": 1.50, \"tags\": [\"a\", null]}]");

    /// <summary>
    /// Writes through the API what every table can hold: status reports with details and a nested reference, an
    /// update, references with and without a status report, deleted ones (the last id among them), an auto-created
    /// subject, a token issued by an application, a revoked token, a webhook subscription in each account (the failed
    /// reference queues a delivery), the sync hours every write counts. Returns the application's access token.
    /// </summary>
    private static async Task<string> PopulateAsync(XrefApp app)
    {
        var acme = app.Client();
        foreach (var (account, events) in new[] { ("1", "reference.failed"), ("2", "reference.failed,reference.recovered") })
            Assert.Equal(0, (await XrefProcess.RunAsync("webhooks", "add", "--account", account, "--url", $"http://127.0.0.1:9/hook/{account}",
                "--events", events, "--database", app.TestDatabase.Url)).ExitCode);
        async Task Ok(Task<HttpResponseMessage> call, HttpStatusCode status = HttpStatusCode.OK)
        {
            var response = await call;
            Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            app.Clock.Advance(TimeSpan.FromSeconds(3));
        }
        await Ok(acme.PostJson(Upsert, """{"external_reference": {"subject_type": "Workspace", "subject_id": 100, "service_name": "jira", "service_model": "project", "service_model_ref": "WEB", "status": "failed", "external_link": "https://jira.example/WEB", "locked": true, "external_message": "m\n\"quoted\" \u00e9"}}"""));
        await Ok(acme.PostJson(Upsert, """{"external_reference": {"subject_type": "Story", "subject_id": 200, "service_name": "jira", "service_model": "issue", "service_model_ref": "WEB-1", "external_status": "Open"}}"""));
        await Ok(acme.PostJson(Upsert, """{"external_reference": {"subject_type": "TimeEntry", "subject_id": 300, "service_name": "qb", "service_model": "t", "service_model_ref": "T1"}}"""));
        await Ok(acme.DeleteAsync("/api/v1/external_references/3"), HttpStatusCode.NoContent);
        await Ok(acme.PostJson(Reports, """
            {"status_report": {"workspace_id": "100", "color": "yellow", "description": "Slipping \u2014 a bit",
              "details": [{"category": "Budget", "color": "red", "description": "Over by 10%"}, {"category": "Scope", "color": "green"}],
              "external_reference": {"service_name": "jira", "service_model": "issue", "service_model_ref": "WEB-7", "status": "successful"}}}
            """));
        await Ok(acme.PostJson(Reports, """{"status_report": {"workspace_id": "101", "color": "green", "description": "Fine", "details": []}}"""));
        await Ok(acme.PutAsync($"{Reports}/1", Requests.Json("""{"status_report": {"color": "red", "details": [{"category": "Schedule", "color": "red"}]}}""")));
        await Ok(app.Client(XrefApp.OtherWrite).PostJson(Upsert, """{"external_reference": {"subject_type": "Workspace", "subject_id": 950, "service_name": "jira", "service_model": "p", "service_model_ref": "G"}}"""));
        await Ok(acme.PostJson(Upsert, """{"external_reference": {"subject_type": "Invoice", "subject_id": 400, "service_name": "qb", "service_model": "i", "service_model_ref": "I"}}"""));
        await Ok(acme.DeleteAsync("/api/v1/external_references/6"), HttpStatusCode.NoContent);
        var applicationToken = await OAuthKit.TokenAsync(app, await OAuthKit.AuthorizeAsync(app));
        Assert.Equal(0, (await XrefProcess.RunAsync("tokens", "revoke", "2", "--database", app.TestDatabase.Url)).ExitCode);
        return applicationToken;
    }

    [Fact]
    public async Task A_whole_database_goes_from_SQLite_to_PostgreSQL_and_back_byte_for_byte_and_its_tokens_still_work()
    {
        await using var source = await XrefApp.StartAsync("sqlite", Seed);
        var applicationToken = await PopulateAsync(source);

        var (exported, summary) = await ExportAsync(source.TestDatabase.Url, "--include-tokens");
        Assert.Equal("exported: accounts 2, users 3, applications 1, api tokens 4, subjects 9, status reports 2, webhook subscriptions 2, reference sync hours 6, references 4", summary);
        var lines = exported.Split('\n');
        Assert.Equal("""{"type":"export","version":2,"last_ids":{"api_tokens":4,"external_references":6,"oauth_applications":1,"status_reports":2,"webhook_subscriptions":2}}""", lines[0]);
        Assert.Single(lines, l => l.StartsWith("""{"type":"webhook_subscription","id":"2","account_id":"2","url":"http://127.0.0.1:9/hook/2","on_failed":true,"on_recovered":true,"secret":""", StringComparison.Ordinal));
        // Every write of the test is in one hour; the deleted TimeEntry reference's sync is still counted.
        Assert.Contains("""{"type":"reference_sync_hour","account_id":"1","hour":498710,"subject_type":"TimeEntry","service_name":"qb","stripe":0,"syncs":1,"failures":0}""", lines);
        Assert.Contains("""{"type":"reference_sync_hour","account_id":"1","hour":498710,"subject_type":"Workspace","service_name":"jira","stripe":0,"syncs":1,"failures":1}""", lines);
        Assert.Equal(1, await Sql.CountAsync(source, "SELECT COUNT(*) FROM webhook_deliveries"));
        Assert.Equal("""{"type":"account","id":"2","name":"Globex","auto_subjects":true,"created_at":"2026-11-22T14:15:20Z","updated_at":"2026-11-22T14:15:20Z"}""", lines[2]);
        Assert.Contains("""{"type":"status_report","id":"1","account_id":"1","workspace_id":"100","color":"red","description":"Slipping \u2014 a bit","details":[{"category":"Schedule","color":"red","description":null}],"creator_id":"10","updater_id":"10","created_at":"2026-11-22T14:15:32Z","updated_at":"2026-11-22T14:15:38Z"}""", lines);
        Assert.Contains("""{"type":"subject","account_id":"1","subject_type":"TimeEntry","id":"300","attributes":{"note":"Caf\u00E9 \u003Cb\u003E \u0022q\u0022 \u2713","hours":1.50,"tags":["a",null]},"created_at":"2026-11-22T14:15:20Z","updated_at":"2026-11-22T14:15:20Z"}""", lines);
        Assert.Single(lines, l => l.StartsWith("""{"type":"api_token","id":"4","account_id":"1","user_id":"10","token_hash":""", StringComparison.Ordinal) && l.Contains("\"application_id\":\"1\""));
        Assert.DoesNotContain(applicationToken, exported);

        await using var postgres = await TestDatabase.CreateAsync("postgres");
        var import = await ImportAsync(exported, postgres.Url);
        Assert.Equal(
        [
            "accounts: 2 created, 0 unchanged, 0 rejected", "users: 3 created, 0 unchanged, 0 rejected",
            "applications: 1 created, 0 unchanged, 0 rejected", "api tokens: 4 created, 0 unchanged, 0 rejected",
            "subjects: 9 created, 0 unchanged, 0 rejected", "status reports: 2 created, 0 unchanged, 0 rejected",
            "webhook subscriptions: 2 created, 0 unchanged, 0 rejected", "reference sync hours: 6 created, 0 unchanged, 0 rejected",
            "references: 4 created, 0 updated, 0 rejected",
        ], import);
        var (fromPostgres, _) = await ExportAsync(postgres.Url, "--include-tokens");
        Assert.Equal(exported, fromPostgres);

        await using var sqlite = await TestDatabase.CreateAsync("sqlite");
        await ImportAsync(fromPostgres, sqlite.Url);
        Assert.Equal(exported, (await ExportAsync(sqlite.Url, "--include-tokens")).Text);

        // The API serves the restored database as it served the original, to the same tokens.
        await using var restored = await XrefApp.StartAsync("sqlite", seed: null, settings: new() { ["database"] = sqlite.Url });
        // The import announced nothing: the failed reference restored queued no delivery.
        Assert.Equal(0, await Sql.CountAsync(restored, "SELECT COUNT(*) FROM webhook_deliveries"));
        foreach (var (token, url) in new[]
        {
            (XrefApp.AcmeWrite, $"{Reports}?include=creator,updater,workspace,external_references"),
            (XrefApp.AcmeWrite, "/api/v1/external_references?subject_type=Workspace&include=subject"),
            (XrefApp.AcmeWrite, "/api/v1/external_references?subject_type=StatusReport"),
            (applicationToken, "/api/v1/external_references?subject_type=Story&include=subject"),
            (XrefApp.OtherWrite, "/api/v1/external_references?subject_type=Workspace&include=subject"),
        })
            JsonAssert.Equal(await BodyAsync(source.Client(token), url), await BodyAsync(restored.Client(token), url));
        Assert.Equal(HttpStatusCode.Unauthorized, (await restored.Client(XrefApp.AcmeRead).GetAsync("/api/v1/status_reports")).StatusCode);
        // New rows get ids after every id the original handed out (6 was deleted there), on PostgreSQL too.
        var created = await JsonAssert.StatusAsync(await restored.Client().PostJson(Upsert, """{"external_reference": {"subject_type": "Story", "subject_id": 201, "service_name": "jira", "service_model": "m", "service_model_ref": "x"}}"""), HttpStatusCode.OK);
        Assert.Equal("7", created["results"]![0]!["id"]!.GetValue<string>());
        await using var restoredPostgres = await XrefApp.StartAsync("postgres", seed: null, settings: new() { ["database"] = postgres.Url });
        Assert.Equal(0, await Sql.CountAsync(restoredPostgres, "SELECT COUNT(*) FROM webhook_deliveries"));
        var report = await JsonAssert.StatusAsync(await restoredPostgres.Client().PostJson(Reports, """{"status_report": {"workspace_id": "100", "color": "green", "description": "d"}}"""), HttpStatusCode.OK);
        Assert.Equal("3", report["results"]![0]!["id"]!.GetValue<string>());
        var reference = await JsonAssert.StatusAsync(await restoredPostgres.Client(applicationToken).PostJson(Upsert, """{"external_reference": {"subject_type": "Story", "subject_id": 201, "service_name": "jira", "service_model": "m", "service_model_ref": "x"}}"""), HttpStatusCode.OK);
        Assert.Equal("7", reference["results"]![0]!["id"]!.GetValue<string>());
    }

    [Theory, AllDatabases]
    public async Task Without_include_tokens_no_credential_leaves_and_an_import_run_again_changes_nothing(string db)
    {
        await using var source = await XrefApp.StartAsync(db, Seed);
        await PopulateAsync(source);
        var (exported, summary) = await ExportAsync(source.TestDatabase.Url);
        // PostgreSQL counts a sync in one of 16 stripes by connection, so its number of sync-hour rows varies.
        var hours = await Sql.CountAsync(source, "SELECT COUNT(*) FROM reference_sync_hours");
        Assert.Equal($"exported: accounts 2, users 3, subjects 9, status reports 2, reference sync hours {hours}, references 4", summary);
        Assert.DoesNotContain("\"type\":\"api_token\"", exported);
        Assert.DoesNotContain("token_hash", exported);
        Assert.DoesNotContain("\"type\":\"application\"", exported);
        Assert.DoesNotContain("client_secret_hash", exported);
        Assert.DoesNotContain("\"type\":\"webhook_subscription\"", exported);
        Assert.DoesNotContain("\"secret\"", exported);

        await using var target = await TestDatabase.CreateAsync(db);
        await ImportAsync(exported, target.Url);
        Assert.Equal(exported, (await ExportAsync(target.Url)).Text);

        // Again into the now full database: every record is already there, identical; references are upserted as always.
        Assert.Equal(
        [
            "accounts: 0 created, 2 unchanged, 0 rejected", "users: 0 created, 3 unchanged, 0 rejected",
            "subjects: 0 created, 9 unchanged, 0 rejected", "status reports: 0 created, 2 unchanged, 0 rejected",
            $"reference sync hours: 0 created, {hours} unchanged, 0 rejected", "references: 0 created, 4 updated, 0 rejected",
        ], await ImportAsync(exported, target.Url));
        Assert.Equal(exported, (await ExportAsync(target.Url)).Text);

        // A record that differs from the stored one is refused, never overwritten.
        var changed = exported.Replace("\"name\":\"Globex\"", "\"name\":\"Globex Corp\"");
        var refused = await ImportAsync(changed, target.Url, expectedExit: 2);
        Assert.Equal("accounts: 0 created, 1 unchanged, 1 rejected", refused[0]);
        Assert.Equal("  line 3: a different record with this id (or unique key) is already in the database; import into an empty database.", refused[1]);
        Assert.Equal(exported, (await ExportAsync(target.Url)).Text);
    }

    [Theory, AllDatabases]
    public async Task Export_of_one_account_holds_it_completely_and_nothing_of_the_others(string db)
    {
        await using var source = await XrefApp.StartAsync(db, Seed);
        await PopulateAsync(source);
        var (exported, summary) = await ExportAsync(source.TestDatabase.Url, "--account", "2", "--include-tokens");
        Assert.Equal("exported: accounts 1, users 1, applications 0, api tokens 1, subjects 3, status reports 0, webhook subscriptions 1, reference sync hours 1, references 1", summary);
        Assert.Contains("\"type\":\"webhook_subscription\"", exported);
        Assert.Contains("\"type\":\"reference_sync_hour\"", exported);
        foreach (var line in exported.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
            Assert.True(line.StartsWith("""{"type":"account","id":"2",""", StringComparison.Ordinal) || line.Contains("\"account_id\":\"2\""), line);
        Assert.DoesNotContain("Acme", exported);
        Assert.DoesNotContain("acme", exported);
        Assert.DoesNotContain("hook/1", exported);
        var missing = await XrefProcess.RunAsync("export", "--account", "9", "--database", source.TestDatabase.Url);
        Assert.Equal((1, "xref: account 9 does not exist (`xref accounts list` shows them).", ""), (missing.ExitCode, missing.Error.Trim(), missing.Out));

        await using var target = await TestDatabase.CreateAsync(db);
        await ImportAsync(exported, target.Url);
        Assert.Equal(exported, (await ExportAsync(target.Url, "--account", "2", "--include-tokens")).Text);

        await using var restored = await XrefApp.StartAsync(db, seed: null, settings: new() { ["database"] = target.Url });
        const string Listing = "/api/v1/external_references?subject_type=Workspace&include=subject";
        JsonAssert.Equal(await BodyAsync(source.Client(XrefApp.OtherWrite), Listing), await BodyAsync(restored.Client(XrefApp.OtherWrite), Listing));
        Assert.Equal(HttpStatusCode.Unauthorized, (await restored.Client(XrefApp.AcmeWrite).GetAsync(Listing)).StatusCode);
        // auto_subjects came along: the API and a reference-only import line both create a missing subject.
        await JsonAssert.StatusAsync(await restored.Client(XrefApp.OtherWrite).PostJson(Upsert,
            """{"external_reference": {"subject_type": "Story", "subject_id": 777, "service_name": "jira", "service_model": "m", "service_model_ref": "x"}}"""), HttpStatusCode.OK);
        Assert.Equal(["references: 1 created, 0 updated, 0 rejected"], await ImportAsync(
            """{"account_id": "2", "subject_type": "Invoice", "subject_id": 778, "service_name": "qb", "service_model": "i", "service_model_ref": "y"}""", target.Url));
        Assert.Equal(1, await Sql.CountAsync(restored, "SELECT COUNT(*) FROM subjects WHERE account_id = 2 AND type = 'Invoice' AND id = 778"));
    }

    [Theory, AllDatabases]
    public async Task Rejected_lines_are_grouped_by_reason_with_their_count_and_first_lines(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var lines = Enumerable.Range(1, 7).Select(i =>
                $$"""{"account_id": 3, "subject_type": "Workspace", "subject_id": 1, "service_name": "s{{i}}", "service_model": "m", "service_model_ref": "r"}""")
            .Concat(
            [
                """{"type": "user", "id": "30", "account_id": "3", "full_name": null, "email_address": null, "headline": null, "photo_path": null, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}""",
                """{"account_id": 1, "subject_type": "Workspace", "subject_id": 100, "service_name": "jira", "service_model": "m", "service_model_ref": "r", "status": "bad"}""",
                """{"type": "webhook"}""",
                """{"account_id": 1, "subject_type": "Workspace", "subject_id": 555, "service_name": "jira", "service_model": "m", "service_model_ref": "r"}""",
                """{"account_id": 1, "subject_type": "Workspace", "subject_id": 555, "service_name": "qb", "service_model": "m", "service_model_ref": "r"}""",
                """{"account_id": 1, "subject_type": "Workspace", "subject_id": 100, "service_name": "jira", "service_model": "m", "service_model_ref": "r"}""",
                """{"type": "status_report", "id": "5", "account_id": "1", "workspace_id": "100", "color": "red", "description": "d", "details": [{"category": "Scope"}], "creator_id": "10", "updater_id": "10", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}""",
            ]);
        const string NoAccount = "account 3 does not exist: import its account record first (an export of this version has it), or create it with `xref accounts create`.";
        Assert.Equal(
        [
            "users: 0 created, 0 unchanged, 1 rejected",
            $"  line 8: {NoAccount}",
            "status reports: 0 created, 0 unchanged, 1 rejected",
            "  line 14: details must be an array of {\"category\", \"color\", \"description\"} objects, color one of green, yellow, red.",
            "references: 1 created, 0 updated, 11 rejected",
            $"  7 lines (first 1, 2, 3, 4, 5): {NoAccount}",
            "  line 9: status must be one of pending, successful, failed, not \"bad\".",
            "  line 10: type must be one of account, user, application, api_token, subject, status_report, webhook_subscription, reference_sync_hour, external_reference.",
            "  lines 11, 12: subject_id: the Workspace does not exist in account 1: import the subjects first (subject ids are per account).",
        ], await ImportAsync(string.Join("\n", lines), app.TestDatabase.Url, expectedExit: 2));
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM status_reports"));
    }

    private static async Task<string> BodyAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
        return body;
    }

    /// <summary>Runs <c>xref export</c>; returns the file and what it printed on standard error.</summary>
    private static async Task<(string Text, string Summary)> ExportAsync(string database, params string[] options)
    {
        var file = Path.GetTempFileName();
        try
        {
            var export = await XrefProcess.RunAsync(["export", "--output", file, "--database", database, .. options]);
            Assert.True(export.ExitCode == 0, export.Error);
            return (await File.ReadAllTextAsync(file), export.Error.Trim());
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Runs <c>xref import</c> of <paramref name="text"/>; returns its report, without the timing line.</summary>
    private static async Task<List<string>> ImportAsync(string text, string database, int expectedExit = 0)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, text);
            var import = await XrefProcess.RunAsync("import", file, "--database", database);
            Assert.True(import.ExitCode == expectedExit, $"exit {import.ExitCode}: {import.Out}{import.Error}");
            return [.. import.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("done in ", StringComparison.Ordinal))];
        }
        finally
        {
            File.Delete(file);
        }
    }
}
