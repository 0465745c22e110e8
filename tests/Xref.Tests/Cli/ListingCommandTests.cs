using Xref.Tests.Infrastructure;
using Xref.Tests.OAuth;

namespace Xref.Tests.Cli;

/// <summary>The list commands for scripts: <c>--json</c> gives exact, parseable arrays; tables never wrap when piped.</summary>
public sealed class ListingCommandTests
{
    private const string Seeded = "2026-11-22T14:15:20Z"; // the test clock when the seed was applied

    private static async Task<string> JsonOfAsync(XrefApp app, params string[] args)
    {
        var result = await XrefProcess.RunAsync([.. args, "--json", "--database", app.TestDatabase.Url]);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Error}");
        return result.Out;
    }

    [Theory, AllDatabases]
    public async Task Every_list_command_writes_a_json_array_with_the_apis_field_names(string db)
    {
        await using var app = await OAuthKit.StartAsync(db);
        JsonAssert.Equal($$"""
            [{"id": 1, "name": "Acme Consulting", "auto_subjects": false, "created_at": "{{Seeded}}"},
             {"id": 2, "name": "Globex", "auto_subjects": false, "created_at": "{{Seeded}}"}]
            """, await JsonOfAsync(app, "accounts", "list"));
        JsonAssert.Equal("""
            [{"id": 10, "account_id": 1, "full_name": "Ada Admin", "email_address": "ada@acme.example", "headline": "Ops", "photo_path": null},
             {"id": 11, "account_id": 1, "full_name": "Bob Builder", "email_address": "bob@acme.example", "headline": null, "photo_path": null},
             {"id": 20, "account_id": 2, "full_name": "Gil Globex", "email_address": "gil@globex.example", "headline": null, "photo_path": null}]
            """, await JsonOfAsync(app, "users", "list"));
        JsonAssert.Equal("""
            [{"id": 20, "account_id": 2, "full_name": "Gil Globex", "email_address": "gil@globex.example", "headline": null, "photo_path": null}]
            """, await JsonOfAsync(app, "users", "list", "--account", "2"));
        JsonAssert.Equal("[]", await JsonOfAsync(app, "users", "list", "--account", "3"));

        await app.ExecuteSqlAsync("UPDATE api_tokens SET revoked_at = @t WHERE id = 3", new { t = ManualClock.Start.AddHours(1).ToUnixTimeSeconds() });
        JsonAssert.Equal($$"""
            [{"id": 1, "account_id": 1, "user_id": 10, "scope": "write", "application_id": null, "created_at": "{{Seeded}}", "last_used_at": null, "revoked_at": null},
             {"id": 2, "account_id": 1, "user_id": 10, "scope": "read", "application_id": null, "created_at": "{{Seeded}}", "last_used_at": null, "revoked_at": null},
             {"id": 3, "account_id": 2, "user_id": 20, "scope": "write", "application_id": null, "created_at": "{{Seeded}}", "last_used_at": null,
              "revoked_at": "2026-11-22T15:15:20Z"}]
            """, await JsonOfAsync(app, "tokens", "list"));
        JsonAssert.Equal("[]", await JsonOfAsync(app, "tokens", "list", "--account", "3"));

        JsonAssert.Equal($$"""
            [{"id": 1, "account_id": 1, "name": "Jira sync", "client_id": "{{OAuthKit.ClientId}}",
              "redirect_uris": ["{{OAuthKit.Callback}}", "{{OAuthKit.OtherCallback}}"], "created_at": "{{Seeded}}"}]
            """, await JsonOfAsync(app, "apps", "list"));
        JsonAssert.Equal("[]", await JsonOfAsync(app, "apps", "list", "--account", "2"));
    }

    [Theory, AllDatabases]
    public async Task Webhook_subscriptions_and_their_deliveries_list_as_json_without_the_secret(string db)
    {
        await using var app = await OAuthKit.StartAsync(db);
        var at = ManualClock.Start.ToUnixTimeSeconds();
        await app.ExecuteSqlAsync("""
            INSERT INTO webhook_subscriptions (account_id, url, on_failed, on_recovered, secret, created_at)
            VALUES (1, 'https://hooks.acme.example/xref?a=1&b=2', TRUE, FALSE, 'whsec-do-not-print', @at),
                   (2, 'http://127.0.0.1:9/globex', TRUE, TRUE, 'whsec-globex', @at)
            """, new { at });
        // Not pending, or not due for a day: the test server's dispatcher leaves them as they are.
        await app.ExecuteSqlAsync("""
            INSERT INTO webhook_deliveries (subscription_id, account_id, event, reference_id, previous_status, reference, occurred_at,
                state, attempts, next_attempt_ms, last_attempt_ms, response_status, last_error)
            VALUES (1, 1, 'reference.failed', 7, NULL, '{}', @at, 'delivered', 1, 0, @ms, 204, NULL),
                   (1, 1, 'reference.failed', 8, 'successful', '{}', @at, 'pending', 2, @later, @ms, 500, 'HTTP 500 "oops"'),
                   (2, 2, 'reference.recovered', 9, 'failed', '{}', @at, 'pending', 0, @later, NULL, NULL, NULL)
            """, new { at, ms = at * 1000 + 999, later = (at + 86_400) * 1000 });

        var subscriptions = await JsonOfAsync(app, "webhooks", "list");
        JsonAssert.Equal($$"""
            [{"id": 1, "account_id": 1, "url": "https://hooks.acme.example/xref?a=1&b=2", "events": ["reference.failed"], "created_at": "{{Seeded}}"},
             {"id": 2, "account_id": 2, "url": "http://127.0.0.1:9/globex", "events": ["reference.failed", "reference.recovered"], "created_at": "{{Seeded}}"}]
            """, subscriptions);
        Assert.DoesNotContain("whsec", subscriptions);
        JsonAssert.Equal("[]", await JsonOfAsync(app, "webhooks", "list", "--account", "3"));
        JsonAssert.Equal($$"""
            [{"id": 2, "subscription_id": 1, "event": "reference.failed", "reference_id": 8, "previous_status": "successful", "occurred_at": "{{Seeded}}",
              "state": "pending", "attempts": 2, "last_attempt_at": "{{Seeded}}", "response_status": 500, "last_error": "HTTP 500 \"oops\""},
             {"id": 1, "subscription_id": 1, "event": "reference.failed", "reference_id": 7, "previous_status": null, "occurred_at": "{{Seeded}}",
              "state": "delivered", "attempts": 1, "last_attempt_at": "{{Seeded}}", "response_status": 204, "last_error": null}]
            """, await JsonOfAsync(app, "webhooks", "deliveries", "1"));
        JsonAssert.Equal($$"""
            [{"id": 3, "subscription_id": 2, "event": "reference.recovered", "reference_id": 9, "previous_status": "failed", "occurred_at": "{{Seeded}}",
              "state": "pending", "attempts": 0, "last_attempt_at": null, "response_status": null, "last_error": null}]
            """, await JsonOfAsync(app, "webhooks", "deliveries", "2", "--limit", "1"));
    }

    [Fact]
    public async Task Every_listing_command_offers_json_in_its_help()
    {
        string[][] listings =
        [
            ["accounts", "list"], ["users", "list"], ["tokens", "list"], ["apps", "list"], ["webhooks", "list"], ["webhooks", "deliveries"],
            ["remote", "refs", "list"], ["remote", "reports", "list"],
        ];
        foreach (var command in listings)
        {
            var help = await XrefProcess.RunAsync([.. command, "--help"]);
            Assert.True(help.ExitCode == 0 && help.Out.Contains("--json", StringComparison.Ordinal), $"{string.Join(' ', command)}: {help.Out}{help.Error}");
        }
    }

    [Theory, AllDatabases]
    public async Task Piped_tables_keep_each_row_on_one_line(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var name = "Initech " + string.Concat(Enumerable.Repeat("Long Name ", 40)).Trim();
        Assert.Equal(0, (await XrefProcess.RunAsync("accounts", "create", "--name", name, "--database", app.TestDatabase.Url)).ExitCode);
        Assert.Equal(0, (await XrefProcess.RunAsync("users", "create", "--account", "3", "--name", name, "--email", "peter@initech.example",
            "--database", app.TestDatabase.Url)).ExitCode);
        foreach (var (command, rows) in new[] { ("accounts", 3), ("users", 4) })
        {
            var lines = (await XrefProcess.RunAsync(command, "list", "--database", app.TestDatabase.Url)).Out.TrimEnd('\n').Split('\n');
            // Top border, header, separator, one line per row, bottom border.
            Assert.Equal(3 + rows + 1, lines.Length);
            Assert.Single(lines, l => l.Contains(name, StringComparison.Ordinal));
            Assert.All(lines, l => Assert.Equal(lines[0].Length, l.Length));
        }
        Assert.Contains("│ 21 │ 3       │ " + name, (await XrefProcess.RunAsync("users", "list", "--account", "3", "--database", app.TestDatabase.Url)).Out);
    }
}
