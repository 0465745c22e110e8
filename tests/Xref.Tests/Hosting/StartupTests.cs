using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xref.Auth;
using Xref.Seeding;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.Hosting;

/// <summary>Anonymous endpoints, the seed file (idempotence, errors, revoked tokens) and the demo account.</summary>
public sealed class StartupTests
{
    private const string Json = "application/json; charset=utf-8";

    [Theory, AllDatabases]
    public async Task Health_and_ready_answer_without_a_token(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        foreach (var client in new[] { app.Client(null), app.Client("bogus") })
        {
            var health = await client.GetAsync("/health");
            await JsonAssert.ResponseAsync(health, HttpStatusCode.OK, """{"status":"ok"}""");
            Assert.Equal(Json, health.Content.Headers.ContentType!.ToString());
            var ready = await client.GetAsync("/ready");
            await JsonAssert.ResponseAsync(ready, HttpStatusCode.OK, """{"status":"ready"}""");
            Assert.Equal(Json, ready.Content.Headers.ContentType!.ToString());
        }
    }

    [Theory, AllDatabases]
    public async Task The_openapi_document_is_anonymous_and_contains_no_token(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        foreach (var client in new[] { app.Client(null), app.Client("bogus"), app.Client() })
        {
            var response = await client.GetAsync("/openapi/v1.json");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
            // A generated document, so its structure is checked rather than every byte.
            var document = JsonNode.Parse(body)!.AsObject();
            Assert.StartsWith("3.", document["openapi"]!.GetValue<string>());
            var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
            Assert.Contains("/api/v1/external_references", paths);
            Assert.Contains("/api/v1/external_references/create_or_update", paths);
            Assert.DoesNotContain(paths, p => p.StartsWith("/health", StringComparison.Ordinal) || p.StartsWith("/ready", StringComparison.Ordinal));
            foreach (var secret in new[] { XrefApp.AcmeWrite, XrefApp.AcmeRead, XrefApp.OtherWrite })
            {
                Assert.DoesNotContain(secret, body);
                Assert.DoesNotContain(Tokens.Hash(secret), body);
            }
            Assert.DoesNotContain("token_hash", body);
        }
    }

    /// <summary>Every stored fact a seed can touch, as text, to compare before and after.</summary>
    private static async Task<string> SnapshotAsync(XrefApp app) => await app.Database.ReadAsync(async c =>
    {
        var text = new StringBuilder();
        foreach (var sql in new[]
                 {
                     "SELECT id, name, auto_subjects, created_at, updated_at FROM accounts ORDER BY id",
                     "SELECT id, account_id, full_name, email_address, headline, photo_path, created_at, updated_at FROM users ORDER BY id",
                     "SELECT type, id, account_id, attributes, created_at, updated_at FROM subjects ORDER BY type, id",
                     "SELECT id, account_id, user_id, token_hash, scope, created_at, revoked_at FROM api_tokens ORDER BY id",
                 })
            foreach (IDictionary<string, object?> row in await c.QueryAsync(sql))
                text.AppendLine(string.Join(" | ", row.Select(kv => $"{kv.Key}={kv.Value}")));
        return text.ToString();
    });



    private static async Task ApplyDirectlyAsync(XrefApp app, string seedText)
    {
        var applier = app.Services.GetRequiredService<SeedApplier>();
        var seed = Seed.Parse(seedText, "again.json");
        await app.Database.WriteAsync(async (c, tx) =>
        {
            await applier.ApplyAsync(c, tx, seed, "again.json");
            return 0;
        });
    }

    [Theory, AllDatabases]
    public async Task Applying_the_same_seed_again_changes_nothing(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var before = await SnapshotAsync(app);
        Assert.Contains("Acme Consulting", before);
        Assert.Equal(2, await Sql.CountAsync(app, "SELECT COUNT(*) FROM accounts"));
        Assert.Equal(3, await Sql.CountAsync(app, "SELECT COUNT(*) FROM users"));
        Assert.Equal(8, await Sql.CountAsync(app, "SELECT COUNT(*) FROM subjects"));
        Assert.Equal(3, await Sql.CountAsync(app, "SELECT COUNT(*) FROM api_tokens"));
        app.Tick(3600);

        // The same file again (skipped by its hash), then the same content applied in full, bypassing the hash.
        var samePath = await XrefApp.WriteSeedAsync(XrefApp.StandardSeed);
        var reformatted = await XrefApp.WriteSeedAsync(XrefApp.StandardSeed.Replace("\n", "\n  ") + "\n\n");
        try
        {
            await app.Services.GetRequiredService<SeedApplier>().ApplyFileAsync(samePath, CancellationToken.None);
            Assert.Equal(before, await SnapshotAsync(app));
            await ApplyDirectlyAsync(app, XrefApp.StandardSeed);
            Assert.Equal(before, await SnapshotAsync(app));

            // Start a second server on the same database, with the seed's content in a differently formatted file.
            var second = app.Restart(reformatted);
            // It did apply the file (its hash is recorded), and that changed nothing.
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(reformatted)));
            Assert.Equal(hash, await app.ScalarAsync<string>("SELECT value FROM xref_state WHERE key = 'seed_sha256'"));
            Assert.Equal(before, await SnapshotAsync(app));
            var client = second.CreateClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", XrefApp.AcmeRead);
            await JsonAssert.ResponseAsync(await client.GetAsync("/api/v1/external_references?subject_type=Workspace"), HttpStatusCode.OK, Expected.EmptyList);
        }
        finally
        {
            File.Delete(samePath);
            File.Delete(reformatted);
        }
    }

    [Theory, AllDatabases]
    public async Task A_changed_seed_touches_only_what_changed(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var start = ManualClock.Start.ToUnixTimeSeconds();
        app.Tick(60);
        var changed = XrefApp.StandardSeed
            .Replace("""{"id": 101, "title": "ERP migration"}""", """{"id": 101, "title": "ERP migration", "archived": true}""")
            .Replace("""{"id": 201, "title": "Build"}""", """{"id": 201, "title": "Build"}, {"id": 202, "title": "Test"}""");
        await ApplyDirectlyAsync(app, changed);
        var now = app.Clock.Now.ToUnixTimeSeconds();
        Assert.Equal(now, await app.ScalarAsync<long>("SELECT updated_at FROM subjects WHERE type = 'Workspace' AND id = 101"));
        Assert.Equal(start, await app.ScalarAsync<long>("SELECT created_at FROM subjects WHERE type = 'Workspace' AND id = 101"));
        Assert.Equal(now, await app.ScalarAsync<long>("SELECT created_at FROM subjects WHERE type = 'Story' AND id = 202"));
        Assert.Equal(start, await app.ScalarAsync<long>("SELECT updated_at FROM subjects WHERE type = 'Workspace' AND id = 100"));
        Assert.Equal(start, await app.ScalarAsync<long>("SELECT MAX(updated_at) FROM accounts"));
        Assert.Equal(start, await app.ScalarAsync<long>("SELECT MAX(updated_at) FROM users"));
        Assert.Equal(9, await Sql.CountAsync(app, "SELECT COUNT(*) FROM subjects"));
        Assert.Equal(3, await Sql.CountAsync(app, "SELECT COUNT(*) FROM api_tokens"));
    }

    private const string ValidTail = """
        {"id": 2, "name": "Globex", "users": [{"id": 20, "tokens": []}], "subjects": {"Workspace": [{"id": 900}]}}
        """;

    public static TheoryData<string, string> BadSeeds => new()
    {
        {
            """{"accounts": [{"id": 1, "name": "A", "subjects": {"Project": [{"id": 1}]}}]}""",
            "$.accounts[0].subjects.Project: unknown subject type 'Project'; one of Assignment, BillingMilestone, CustomField, CustomFieldChoice, CustomFieldSet, CustomFieldValue, Estimate, EstimateScenario, EstimateScenarioResource, Expense, ExpenseBudget, Invoice, Participation, Post, RateCard, Role, Skill, StatusReport, Story, StoryAllocationDay, Submission, SurveyAnswer, SurveyQuestion, SurveyResponse, SurveyTemplate, TimeEntry, TimeOffEntry, User, Vendor, Workspace, WorkspaceAllocation, WorkspaceGroup, WorkspaceResource."
        },
        {
            """{"accounts": [{"id": 1, "name": "A", "subjects": {"workspace": [{"id": 1}]}}]}""",
            "$.accounts[0].subjects.workspace: unknown subject type 'workspace'; one of Assignment, BillingMilestone, CustomField, CustomFieldChoice, CustomFieldSet, CustomFieldValue, Estimate, EstimateScenario, EstimateScenarioResource, Expense, ExpenseBudget, Invoice, Participation, Post, RateCard, Role, Skill, StatusReport, Story, StoryAllocationDay, Submission, SurveyAnswer, SurveyQuestion, SurveyResponse, SurveyTemplate, TimeEntry, TimeOffEntry, User, Vendor, Workspace, WorkspaceAllocation, WorkspaceGroup, WorkspaceResource."
        },
        {
            """{"accounts": [{"id": 1, "name": "A", "subjects": {"User": [{"id": 10}]}}]}""",
            "$.accounts[0].subjects.User: User cannot be seeded as a subject: list users under 'users'."
        },
        {
            """{"accounts": [{"id": 1, "name": "A", "subjects": {"StatusReport": [{"id": 10}]}}]}""",
            "$.accounts[0].subjects.StatusReport: StatusReport cannot be seeded as a subject: status reports are created through the API."
        },
        {
            // Subject ids are per account (issue 10): the same id in two accounts is fine, twice in one is not.
            """{"accounts": [{"id": 1, "name": "A", "subjects": {"Workspace": [{"id": 900}, {"id": 900}]}}, """ + ValidTail + "]}",
            "$.accounts[0].subjects.Workspace: duplicate subject Workspace 900 (already given at $.accounts[0].subjects.Workspace); subject ids are per account, each may appear once in an account."
        },
        {
            """{"accounts": [{"id": 1, "name": "A", "users": [{"id": 20, "tokens": []}]}, """ + ValidTail + "]}",
            "$.accounts[1].users[0]: duplicate user id 20 (already given at $.accounts[0].users[0]); ids are global, each may appear once."
        },
        {
            """{"accounts": [{"id": 2, "name": "A"}, """ + ValidTail + "]}",
            "$.accounts[1]: duplicate account id 2 (already given at $.accounts[0]); ids are global, each may appear once."
        },
        {
            """{"accounts": [{"id": 1, "name": "A", "users": [{"id": 10, "tokens": [{"token": "t", "scope": "admin"}]}]}]}""",
            "$.accounts[0].users[0].tokens[0]: 'scope' must be read or write, not 'admin'."
        },
        {
            """{"accounts": [{"id": 1, "name": "A", "users": [{"id": 10, "tokens": [{"token": "has space", "scope": "read"}]}]}]}""",
            "$.accounts[0].users[0].tokens[0]: 'token' must be 1 to 256 printable ASCII characters without spaces."
        },
        { """{"accounts": [{"id": 0, "name": "A"}]}""", "$.accounts[0]: 'id' must be a positive integer." },
        { """{"accounts": [{"id": 1}]}""", "$.accounts[0]: 'name' is required." },
        { """{"account": []}""", "$: 'accounts' is missing." },
        { """{"accounts": {}}""", "$.accounts: must be an array." },
    };

    [Theory, MemberData(nameof(BadSeeds))]
    public void Seed_problems_name_the_file_and_the_place(string seed, string message)
    {
        var e = Assert.Throws<SeedException>(() => Seed.Parse(seed, "/etc/xref/seed.json"));
        Assert.Equal("/etc/xref/seed.json: " + message, e.Message);
    }

    [Fact]
    public void A_seed_that_is_not_json_names_the_file()
    {
        foreach (var text in new[] { "{\"accounts\": [", "", "accounts: []", "{\"accounts\": [], \"accounts\": []}" })
        {
            var e = Assert.Throws<SeedException>(() => Seed.Parse(text, "seed.json"));
            Assert.StartsWith("seed.json: not valid JSON: ", e.Message);
        }
    }

    [Theory, AllDatabases]
    public async Task A_bad_seed_stops_start_up_and_changes_nothing(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var applier = app.Services.GetRequiredService<SeedApplier>();
        var before = await SnapshotAsync(app);
        app.Tick(60);
        (string Seed, string Message)[] cases =
        [
            (XrefApp.StandardSeed.Replace("\"Story\": [{\"id\": 200", "\"Project\": [{\"id\": 1}], \"Story\": [{\"id\": 200"),
                "$.accounts[0].subjects.Project: unknown subject type 'Project'"),
            (XrefApp.StandardSeed.Replace("\"TimeEntry\": [{\"id\": 300}]", "\"User\": [{\"id\": 300}]"),
                "$.accounts[0].subjects.User: User cannot be seeded as a subject: list users under 'users'."),
            (XrefApp.StandardSeed.Replace("{\"id\": 201, \"title\": \"Build\"}", "{\"id\": 200, \"title\": \"Build\"}"),
                "$.accounts[0].subjects.Story: duplicate subject Story 200 (already given at $.accounts[0].subjects.Story); subject ids are per account, each may appear once in an account."),
            (XrefApp.StandardSeed.Replace("Acme Consulting\",", "Acme Renamed\",,"), ": not valid JSON: "),
            // Valid on its own, but user 10 already belongs to account 1 in the database; the rename of account 1 must not stay.
            ("""{"accounts": [{"id": 1, "name": "Acme Renamed"}, {"id": 3, "name": "Thief", "users": [{"id": 10}]}]}""",
                ": account 3: user 10 already belongs to account 1; ids are global."),
        ];
        foreach (var (seed, message) in cases)
        {
            var path = await XrefApp.WriteSeedAsync(seed);
            try
            {
                // Start-up stops (Program prints the SeedException's message to standard error and exits 1, so the
                // test host only sees that the server never started)...
                Assert.NotNull(await Record.ExceptionAsync(() => Task.Run(() => app.Restart(path))));
                Assert.Equal(before, await SnapshotAsync(app));
                // ...and that message names the file, the place and the problem.
                var e = await Assert.ThrowsAsync<SeedException>(() => applier.ApplyFileAsync(path, CancellationToken.None));
                Assert.StartsWith(path + ": ", e.Message);
                Assert.Contains(message, e.Message);
                Assert.Equal(before, await SnapshotAsync(app));
            }
            finally
            {
                File.Delete(path);
            }
        }
        // The original server is unaffected.
        await JsonAssert.ResponseAsync(await app.ListAsync("subject_type=Workspace", XrefApp.AcmeRead), HttpStatusCode.OK, Expected.EmptyList);
    }

    [Theory, AllDatabases]
    public async Task A_seed_file_that_cannot_be_read_stops_start_up(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var missing = Path.Combine(Path.GetTempPath(), $"xref-missing-{Guid.NewGuid():N}.json");
        Assert.NotNull(await Record.ExceptionAsync(() => Task.Run(() => app.Restart(missing))));
        var e = await Assert.ThrowsAsync<SeedException>(() => app.Services.GetRequiredService<SeedApplier>().ApplyFileAsync(missing, CancellationToken.None));
        Assert.StartsWith(missing + ": cannot be read: ", e.Message);
    }

    [Theory, AllDatabases]
    public async Task Reapplying_the_seed_does_not_revive_a_revoked_token(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var revokedAt = ManualClock.Start.AddSeconds(5).ToUnixTimeSeconds();
        Assert.Equal(1, await app.ExecuteSqlAsync("UPDATE api_tokens SET revoked_at = @revokedAt WHERE token_hash = @hash",
            new { revokedAt, hash = Tokens.Hash(XrefApp.AcmeWrite) }));
        app.Tick(60);

        await ApplyDirectlyAsync(app, XrefApp.StandardSeed);
        var path = await XrefApp.WriteSeedAsync(XrefApp.StandardSeed + "\n");
        try
        {
            var second = app.Restart(path);
            Assert.Equal(revokedAt, await app.ScalarAsync<long?>("SELECT revoked_at FROM api_tokens WHERE token_hash = @hash", new { hash = Tokens.Hash(XrefApp.AcmeWrite) }));
            Assert.Equal(3, await Sql.CountAsync(app, "SELECT COUNT(*) FROM api_tokens"));

            var write = second.CreateClient();
            write.DefaultRequestHeaders.Authorization = new("Bearer", XrefApp.AcmeWrite);
            await JsonAssert.ResponseAsync(await write.GetAsync("/api/v1/external_references?subject_type=Workspace"), HttpStatusCode.Unauthorized, Expected.Unauthorized);
            await JsonAssert.ResponseAsync(await app.ListAsync("subject_type=Workspace"), HttpStatusCode.Unauthorized, Expected.Unauthorized);
            await JsonAssert.ResponseAsync(await app.Client().PostJson(Expected.UpsertUrl, new Ref().RequestJson()), HttpStatusCode.Unauthorized, Expected.Unauthorized);
            // The account's other token still works.
            await JsonAssert.ResponseAsync(await app.ListAsync("subject_type=Workspace", XrefApp.AcmeRead), HttpStatusCode.OK, Expected.EmptyList);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory, AllDatabases]
    public async Task Without_a_seed_sqlite_gets_a_demo_account_with_auto_subjects(string db)
    {
        // SQLite creates the demo account by itself; PostgreSQL only with --demo.
        await using (var plain = await XrefApp.StartAsync(db, seed: null))
            Assert.Equal(db == "sqlite" ? 1 : 0, await Sql.CountAsync(plain, "SELECT COUNT(*) FROM accounts"));

        await using var app = await XrefApp.StartAsync(db, seed: null, settings: db == "sqlite" ? null : new() { ["demo"] = "true" });
        Assert.Equal("Demo Account", await app.ScalarAsync<string>("SELECT name FROM accounts WHERE id = 1"));
        Assert.True(await app.ScalarAsync<bool>("SELECT auto_subjects FROM accounts WHERE id = 1"));
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM users"));
        Assert.Equal(5, await Sql.CountAsync(app, "SELECT COUNT(*) FROM subjects WHERE account_id = 1"));
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM api_tokens WHERE scope = 'write' AND revoked_at IS NULL"));
        // The demo token is shown once and stored only as its hash; give the demo user a token the test knows.
        await app.ExecuteSqlAsync("INSERT INTO api_tokens (account_id, user_id, token_hash, scope, created_at) VALUES (1, 1, @hash, 'write', 0)",
            new { hash = Tokens.Hash("demo-test-token") });

        var client = app.Client("demo-test-token");
        app.Tick(30);
        var response = await client.PostJson(Expected.UpsertUrl + "?include=subject", """
            {"external_reference": {"subject_type": "Story", "subject_id": 777, "service_name": "jira", "service_model": "issue", "service_model_ref": "NEW-1"}}
            """);
        var now = app.Clock.Now;
        var created = new Ref { Id = 1, SubjectType = "Story", SubjectId = 777, ServiceModelRef = "NEW-1", CreatedAt = now, UpdatedAt = now, LastSyncedAt = now };
        await JsonAssert.ResponseAsync(response, HttpStatusCode.OK, Expected.Single(created.WithSubject("stories"), new JsonObject
        {
            ["stories"] = JsonNode.Parse("""{"777": {"title": null, "created_at": "2026-11-22T14:15:50Z", "updated_at": "2026-11-22T14:15:50Z", "id": "777"}}"""),
        }));
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM subjects WHERE type = 'Story' AND id = 777 AND account_id = 1"));

        // A seeded demo subject is used as it is.
        response = await client.PostJson(Expected.UpsertUrl + "?include=subject", """
            {"external_reference": {"subject_type": "Workspace", "subject_id": 100, "service_name": "jira", "service_model": "issue", "service_model_ref": "WEB-1"}}
            """);
        var onWorkspace = new Ref { Id = 2, ServiceModelRef = "WEB-1", CreatedAt = now, UpdatedAt = now, LastSyncedAt = now };
        await JsonAssert.ResponseAsync(response, HttpStatusCode.OK, Expected.Single(onWorkspace.WithSubject("workspaces"), new JsonObject
        {
            ["workspaces"] = JsonNode.Parse("""
                {"100": {"title": "Website relaunch", "description": "Demo project", "archived": false, "created_at": "2026-11-22T14:15:20Z",
                         "updated_at": "2026-11-22T14:15:20Z", "creator_id": "1", "id": "100"}}
                """),
        }));
        Assert.Equal(6, await Sql.CountAsync(app, "SELECT COUNT(*) FROM subjects"));

        // Restarting on the same database creates no second demo account.
        app.Restart("");
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM accounts"));
        Assert.Equal(2, await Sql.CountAsync(app, "SELECT COUNT(*) FROM api_tokens"));
    }

    [Theory, AllDatabases]
    public async Task Auto_subjects_are_off_for_seeded_accounts(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var response = await app.Client().PostJson(Expected.UpsertUrl, """
            {"external_reference": {"subject_type": "Story", "subject_id": 777, "service_name": "jira", "service_model": "issue", "service_model_ref": "NEW-1"}}
            """);
        await JsonAssert.ErrorAsync(response, HttpStatusCode.UnprocessableEntity, ("validation", "subject_id", "Story 777 does not exist in your account."));
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM subjects WHERE id = 777"));
    }
}
