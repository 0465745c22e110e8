using System.Net;
using Dapper;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.Operations;

public sealed class ExportImportTests
{
    private const string Upsert = "/api/v1/external_references/create_or_update";

    [Theory, AllDatabases]
    public async Task Export_then_import_restores_ids_timestamps_and_statuses_exactly(string db)
    {
        await using var source = await XrefApp.StartAsync(db);
        var client = source.Client();
        foreach (var (type, id, service, status) in new[] { ("Workspace", 100, "jira", "failed"), ("Story", 200, "jira", "successful"), ("Workspace", 101, "qb", "pending") })
        {
            var response = await client.PostJson(Upsert, $$$"""
                {"external_reference": {"subject_type": "{{{type}}}", "subject_id": {{{id}}}, "service_name": "{{{service}}}", "service_model": "m",
                 "service_model_ref": "r-{{{id}}}", "status": "{{{status}}}", "external_link": "https://x.example/{{{id}}}", "locked": true, "external_message": "m\n\"quoted\""}}
                """);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            source.Clock.Advance(TimeSpan.FromSeconds(7));
        }
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/v1/external_references/2")).StatusCode);
        await client.PostJson(Upsert, """{"external_reference": {"subject_type": "Story", "subject_id": 201, "service_name": "jira", "service_model": "m", "service_model_ref": "x"}}""");

        var file = Path.GetTempFileName();
        try
        {
            var export = await XrefProcess.RunAsync("export", "--account", "1", "--output", file, "--database", source.TestDatabase.Url);
            // PostgreSQL counts syncs in one of 16 stripes by connection: its number of sync-hour rows varies.
            var hours = await Sql.CountAsync(source, "SELECT COUNT(*) FROM reference_sync_hours WHERE account_id = 1");
            Assert.Equal((0, $"exported: accounts 1, users 2, subjects 6, status reports 0, reference sync hours {hours}, references 3"), (export.ExitCode, export.Error.Trim()));
            var exported = await File.ReadAllTextAsync(file);

            await using var target = await XrefApp.StartAsync(db);
            var import = await XrefProcess.RunAsync("import", file, "--database", target.TestDatabase.Url);
            Assert.Equal(0, import.ExitCode);
            Assert.Contains("references: 3 created, 0 updated, 0 rejected", import.Out);
            // The target was started with the same seed: the account's records are there already, identical.
            Assert.Contains("accounts: 0 created, 1 unchanged, 0 rejected", import.Out);
            Assert.Contains("subjects: 0 created, 6 unchanged, 0 rejected", import.Out);

            var again = Path.GetTempFileName();
            await XrefProcess.RunAsync("export", "--account", "1", "--output", again, "--database", target.TestDatabase.Url);
            Assert.Equal(exported, await File.ReadAllTextAsync(again));
            File.Delete(again);

            var listed = await (await target.Client().GetAsync("/api/v1/external_references?subject_type=Workspace&order=created_at:asc")).Content.ReadAsStringAsync();
            var original = await (await client.GetAsync("/api/v1/external_references?subject_type=Workspace&order=created_at:asc")).Content.ReadAsStringAsync();
            JsonAssert.Equal(original, listed);

            // A new reference after the restore gets an id after the restored ones.
            var next = await JsonAssert.StatusAsync(await target.Client().PostJson(Upsert,
                """{"external_reference": {"subject_type": "TimeEntry", "subject_id": 300, "service_name": "jira", "service_model": "m", "service_model_ref": "x"}}"""), HttpStatusCode.OK);
            Assert.Equal("5", next["results"]![0]!["id"]!.GetValue<string>());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory, AllDatabases]
    public async Task Import_reports_every_rejected_line_and_keeps_the_good_ones(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var file = Path.GetTempFileName();
        await File.WriteAllLinesAsync(file,
        [
            """{"subject_type": "Workspace", "subject_id": 100, "service_name": "jira", "service_model": "issue", "service_model_ref": "A", "last_synced_at": "2025-03-04T05:06:07.9Z"}""",
            """{"subject_type": "Workspace", "subject_id": 900, "service_name": "jira", "service_model": "issue", "service_model_ref": "B"}""",
            "{oops",
            "",
            """{"subject_type": "Workspace", "subject_id": 100, "service_name": "jira", "service_model": "issue", "service_model_ref": "C", "status": "failed"}""",
            """{"subject_type": "Workspace", "subject_id": 100, "service_name": "qb", "service_model": "issue", "service_model_ref": "D", "status": "bad"}""",
        ]);
        try
        {
            var import = await XrefProcess.RunAsync("import", file, "--account", "1", "--batch-size", "2", "--database", app.TestDatabase.Url);
            Assert.Equal(2, import.ExitCode);
            Assert.Contains("references: 1 created, 1 updated, 3 rejected", import.Out);
            Assert.Contains("  line 2: subject_id: the Workspace does not exist in account 1: import the subjects first (subject ids are per account).", import.Out);
            Assert.Contains("  line 3: not valid JSON:", import.Out);
            Assert.Contains("  line 6: status must be one of pending, successful, failed, not \"bad\".", import.Out);
            var body = await JsonAssert.StatusAsync(await app.Client().GetAsync("/api/v1/external_references?subject_type=Workspace"), HttpStatusCode.OK);
            var reference = body["external_references"]!["1"]!;
            Assert.Equal(("C", "failed"), (reference["service_model_ref"]!.GetValue<string>(), reference["status"]!.GetValue<string>()));
            Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
            Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references WHERE account_id = 2"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// The import writes in batches (on PostgreSQL one INSERT and one UPDATE per batch); every line must still
    /// land exactly as create_or_update would have written it, and the kept counts must stay exact.
    /// </summary>
    [Theory, AllDatabases]
    public async Task Import_writes_each_line_exactly_as_create_or_update_does(string db)
    {
        string[] lines =
        [
            """{"subject_type": "Workspace", "subject_id": 100, "service_name": "jira", "service_model": "issue", "service_model_ref": "A", "status": "failed", "external_link": "https://jira.example/A", "locked": true}""",
            """{"subject_type": "Story", "subject_id": 200, "service_name": "jira", "service_model": "issue", "service_model_ref": "B", "external_status": "open", "external_message": "m"}""",
            """{"subject_type": "Workspace", "subject_id": 100, "service_name": "jira", "service_model": "epic", "service_model_ref": "A2", "external_status": "done"}""",
            """{"subject_type": "User", "subject_id": 10, "service_name": "okta", "service_model": "user", "service_model_ref": "U", "status": "successful"}""",
            """{"subject_type": "Workspace", "subject_id": 900, "service_name": "jira", "service_model": "issue", "service_model_ref": "X"}""",
            """{"subject_type": "User", "subject_id": 20, "service_name": "okta", "service_model": "user", "service_model_ref": "X"}""",
            """{"subject_type": "Workspace", "subject_id": 101, "service_name": "qb", "service_model": "project", "service_model_ref": "C", "status": "pending"}""",
            """{"subject_type": "Story", "subject_id": 200, "service_name": "jira", "service_model": "issue", "service_model_ref": "B", "status": "successful", "external_message": null, "locked": null}""",
            """{"subject_type": "Workspace", "subject_id": 100, "service_name": "jira", "service_model": "epic", "service_model_ref": "A3", "status": "pending", "locked": false}""",
            """{"subject_type": "TimeEntry", "subject_id": 300, "service_name": "jira", "service_model": "worklog", "service_model_ref": "T"}""",
        ];
        await using var viaApi = await XrefApp.StartAsync(db);
        var client = viaApi.Client();
        var apiStatuses = new List<HttpStatusCode>();
        foreach (var line in lines)
            apiStatuses.Add((await client.PostJson(Upsert, $$"""{"external_reference": {{line}}}""")).StatusCode);
        Assert.Equal(2, apiStatuses.Count(s => s == HttpStatusCode.UnprocessableEntity));

        await using var viaImport = await XrefApp.StartAsync(db);
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(file, lines);
            var import = await XrefProcess.RunAsync("import", file, "--account", "1", "--batch-size", "4", "--database", viaImport.TestDatabase.Url);
            Assert.Equal(2, import.ExitCode);
            Assert.Contains("references: 5 created, 3 updated, 2 rejected", import.Out);
            Assert.Contains("  line 5: subject_id: the Workspace does not exist in account 1: import the subjects first (subject ids are per account).", import.Out);
            Assert.Contains("  line 6: subject_id: the User does not exist in account 1: import the subjects first (subject ids are per account).", import.Out);
        }
        finally
        {
            File.Delete(file);
        }

        const string Stored = """
            SELECT account_id, subject_type, subject_id, service_name, service_model, service_model_ref, status,
                   external_link, external_status, external_message, locked, revision
            FROM external_references ORDER BY subject_type, subject_id, service_name
            """;
        var expected = await Rows(viaApi, Stored);
        Assert.Equal(5, expected.Count);
        Assert.Equal(expected, await Rows(viaImport, Stored));

        const string Counted = "SELECT account_id, subject_type, status, COUNT(*) FROM external_references GROUP BY account_id, subject_type, status ORDER BY 1, 2, 3";
        const string Kept = "SELECT account_id, subject_type, status, SUM(n) FROM reference_totals GROUP BY account_id, subject_type, status HAVING SUM(n) <> 0 ORDER BY 1, 2, 3";
        Assert.Equal(await Rows(viaImport, Counted), await Rows(viaImport, Kept));
        const string CountedByService = "SELECT account_id, subject_type, service_name, status, COUNT(*) FROM external_references GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4";
        const string KeptByService = "SELECT account_id, subject_type, service_name, status, SUM(n) FROM reference_stats GROUP BY 1, 2, 3, 4 HAVING SUM(n) <> 0 ORDER BY 1, 2, 3, 4";
        Assert.Equal(await Rows(viaImport, CountedByService), await Rows(viaImport, KeptByService));
    }

    /// <summary>Every row as text, so the two databases' column types compare alike.</summary>
    private static Task<List<string>> Rows(XrefApp app, string sql) => app.Database.ReadAsync(async c =>
        (await c.QueryAsync(sql)).Select(row => string.Join("|", ((IDictionary<string, object?>)row).Values.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)))).ToList());
}
