using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Xref.Tests.Infrastructure;
using static Xref.Tests.OAuth.OAuthKit;

namespace Xref.Tests.OAuth;

/// <summary>Registering applications (the <c>xref apps</c> commands, the seed), deleting them, and the sandbox shortcut.</summary>
public sealed class ApplicationTests
{
    [Theory, AllDatabases]
    public async Task Apps_commands_create_list_and_delete_and_tokens_list_shows_the_application(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var url = app.TestDatabase.Url;
        var created = await XrefProcess.RunAsync("apps", "create", "--account", "1", "--name", "Jira sync", "--redirect-uri", Callback,
            "--redirect-uri", OtherCallback, "--database", url);
        Assert.True(created.ExitCode == 0, created.Error);
        var lines = created.Out.Trim().Split('\n').Select(l => l.Split(": ", 2)).ToDictionary(p => p[0], p => p[1].Trim());
        Assert.Equal("1", lines["id"]);
        Assert.Matches("^[0-9a-f]{64}$", lines["client_id"]);
        var secret = lines["client_secret"];
        Assert.Matches("^[A-Za-z0-9_-]{43}$", secret);
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM oauth_applications WHERE client_secret_hash = @secret OR client_secret_hash = ''", new { secret }));

        // The new application works through the whole flow with the printed credentials.
        var browser = app.Browser();
        var html = await PageAsync(browser, $"/oauth/authorize?response_type=code&client_id={lines["client_id"]}&redirect_uri={Uri.EscapeDataString(OtherCallback)}");
        var allowed = await DecideAsync(browser, FormToken(html), "allow", "10");
        var code = allowed.Headers.Location!.OriginalString.Split("code=")[1];
        var token = (await JsonAssert.StatusAsync(await ExchangeAsync(app, code, secret, redirectUri: OtherCallback, clientId: lines["client_id"]), HttpStatusCode.OK))["access_token"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await ApiAsync(app, token)).StatusCode);

        var list = await XrefProcess.RunAsync("apps", "list", "--database", url);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("Jira sync", list.Out);
        Assert.Contains(lines["client_id"], list.Out);
        Assert.Contains(OtherCallback, list.Out);
        Assert.DoesNotContain(secret, list.Out);
        var tokens = await XrefProcess.RunAsync("tokens", "list", "--database", url);
        Assert.Contains("application", tokens.Out);
        Assert.Contains("1 Jira sync", tokens.Out);
        Assert.DoesNotContain(token, tokens.Out);

        var deleted = await XrefProcess.RunAsync("apps", "delete", "1", "--database", url);
        Assert.Equal((0, "application 1 deleted; 1 token revoked"), (deleted.ExitCode, deleted.Out.Trim()));
        var again = await XrefProcess.RunAsync("apps", "delete", "1", "--database", url);
        Assert.Equal((1, "xref: application 1 does not exist."), (again.ExitCode, again.Error.Trim()));
    }

    [Theory, AllDatabases]
    public async Task Apps_commands_explain_what_is_wrong(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var url = app.TestDatabase.Url;
        var noAccount = await XrefProcess.RunAsync("apps", "create", "--account", "9", "--name", "X", "--redirect-uri", Callback, "--database", url);
        Assert.Equal((1, "xref: account 9 does not exist; create it with `xref accounts create`."), (noAccount.ExitCode, noAccount.Error.Trim()));
        var badUri = await XrefProcess.RunAsync("apps", "create", "--account", "1", "--name", "X", "--redirect-uri", "javascript:alert(1)", "--database", url);
        Assert.Equal(1, badUri.ExitCode);
        Assert.Contains("javascript: scheme", badUri.Error);
        var fragment = await XrefProcess.RunAsync("apps", "create", "--account", "1", "--name", "X", "--redirect-uri", "https://a.example/cb#x", "--database", url);
        Assert.Contains("fragment", fragment.Error);
        var noUri = await XrefProcess.RunAsync("apps", "create", "--account", "1", "--name", "X", "--database", url);
        Assert.NotEqual(0, noUri.ExitCode);
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM oauth_applications"));
    }

    [Theory, AllDatabases]
    public async Task Deleting_an_application_refuses_its_tokens_within_a_second_and_voids_its_codes(string db)
    {
        await using var app = await StartAsync(db);
        var token = await TokenAsync(app, await AuthorizeAsync(app));
        var pending = await AuthorizeAsync(app);
        Assert.Equal(HttpStatusCode.OK, (await ApiAsync(app, token)).StatusCode);
        var deleted = await XrefProcess.RunAsync("apps", "delete", "1", "--database", app.TestDatabase.Url);
        Assert.Equal((0, "application 1 deleted; 1 token revoked"), (deleted.ExitCode, deleted.Out.Trim()));
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        await JsonAssert.ResponseAsync(await ApiAsync(app, token), HttpStatusCode.Unauthorized, Expected.Unauthorized);
        await ErrorAsync(await ExchangeAsync(app, pending), HttpStatusCode.Unauthorized, "invalid_client");
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM oauth_authorization_codes"));
        Assert.Equal(HttpStatusCode.BadRequest, (await app.Browser().GetAsync(AuthorizeUrl)).StatusCode);
        // The seed's own tokens are untouched.
        Assert.Equal(HttpStatusCode.OK, (await ApiAsync(app, XrefApp.AcmeWrite)).StatusCode);
    }

    [Theory, AllDatabases]
    public async Task A_seeds_applications_have_known_credentials_and_reapplying_changes_nothing(string db)
    {
        await using var app = await StartAsync(db, settings: XrefApp.SandboxSettings(), manualClock: false);
        await TokenAsync(app, await AuthorizeAsync(app));
        var before = await DatabaseDump.TakeAsync(app);
        await JsonAssert.StatusAsync(await app.Control().PostJson("/_xref/seed", Seed()), HttpStatusCode.OK);
        Assert.Equal(before, await DatabaseDump.TakeAsync(app));

        // A changed name, secret or callback list is applied; the application keeps its id and tokens.
        var changed = Seed("Jira sync 2").Replace(Secret, "new-secret");
        await JsonAssert.StatusAsync(await app.Control().PostJson("/_xref/seed", changed), HttpStatusCode.OK);
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM oauth_applications WHERE id = 1 AND name = 'Jira sync 2'"));
        await ErrorAsync(await ExchangeAsync(app, await AuthorizeAsync(app)), HttpStatusCode.Unauthorized, "invalid_client");

        // Errors name the JSON path, and change nothing.
        before = await DatabaseDump.TakeAsync(app);
        async Task Invalid(string applications, string field)
        {
            var seed = $$"""{"accounts": [{"id": 1, "name": "Acme Consulting", "applications": {{applications}}}]}""";
            var body = await JsonAssert.StatusAsync(await app.Control().PostJson("/_xref/seed", seed), HttpStatusCode.UnprocessableEntity);
            Assert.Equal(field, body["errors"]![0]!["field"]!.GetValue<string>());
        }
        await Invalid("""[{"client_id": "a", "client_secret": "b", "name": "X", "redirect_uris": ["not a uri"]}]""", "$.accounts[0].applications[0].redirect_uris[0]");
        await Invalid("""[{"client_id": "a", "client_secret": "b", "name": "X", "redirect_uris": []}]""", "$.accounts[0].applications[0].redirect_uris");
        await Invalid("""[{"client_id": "a", "name": "X", "redirect_uris": ["https://a.example"]}]""", "$.accounts[0].applications[0]");
        await Invalid("""[{"client_id": "a", "client_secret": "b", "name": "X", "redirect_uris": ["https://a.example"]}, {"client_id": "a", "client_secret": "c", "name": "Y", "redirect_uris": ["https://a.example"]}]""",
            "$.accounts[0].applications[1]");
        await Invalid("""{"client_id": "a"}""", "$.accounts[0].applications");
        var stolen = """{"accounts": [{"id": 2, "name": "Globex", "applications": [{"client_id": "jira-sync-client", "client_secret": "x", "name": "Mine", "redirect_uris": ["https://globex.example/cb"]}]}]}""";
        var conflict = await JsonAssert.StatusAsync(await app.Control().PostJson("/_xref/seed", stolen), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("already belongs to an application of account 1", conflict["errors"]![0]!["message"]!.GetValue<string>());
        Assert.Equal(before, await DatabaseDump.TakeAsync(app));

        // A reset empties the applications' tables and brings back the start-up seed's application.
        Assert.Equal(HttpStatusCode.NoContent, (await app.Control().PostAsync("/_xref/reset", null)).StatusCode);
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM api_tokens WHERE application_id IS NOT NULL"));
        await TokenAsync(app, await AuthorizeAsync(app));
    }

    [Theory, AllDatabases]
    public async Task The_sandbox_shortcut_approves_as_a_given_user_only_with_the_control_plane(string db)
    {
        const string request = $$"""{"client_id": "{{ClientId}}", "redirect_uri": "{{Callback}}", "user_id": 11, "state": "s 1"}""";
        await using (var plain = await StartAsync(db))
            await JsonAssert.ResponseAsync(await plain.Client(XrefApp.AdminToken).PostJson("/_xref/oauth/authorize", request), HttpStatusCode.NotFound, Expected.NotFound);

        await using var app = await StartAsync(db, settings: XrefApp.SandboxSettings(), manualClock: false);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client().PostJson("/_xref/oauth/authorize", request)).StatusCode);
        var approved = await JsonAssert.StatusAsync(await app.Control().PostJson("/_xref/oauth/authorize", request), HttpStatusCode.OK);
        var code = approved["code"]!.GetValue<string>();
        JsonAssert.Equal(new JsonObject { ["code"] = code, ["redirect"] = $"{Callback}?code={code}&state=s+1" }.ToJsonString(), approved.ToJsonString());
        var token = await TokenAsync(app, code);
        Assert.Equal(11, await app.Database.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT user_id FROM api_tokens WHERE application_id = 1")));
        Assert.Equal(HttpStatusCode.OK, (await ApiAsync(app, token)).StatusCode);

        async Task Invalid(string body, string field) => Assert.Equal(field,
            (await JsonAssert.StatusAsync(await app.Control().PostJson("/_xref/oauth/authorize", body), HttpStatusCode.UnprocessableEntity))["errors"]![0]!["field"]!.GetValue<string>());
        await Invalid(request.Replace(ClientId, "nobody"), "client_id");
        await Invalid(request.Replace(Callback, "https://evil.example/cb"), "redirect_uri");
        await Invalid(request.Replace("\"user_id\": 11", "\"user_id\": 20"), "user_id");
        await Invalid("""{"redirect_uri": 5}""", "client_id");
    }

    [Theory, AllDatabases]
    public async Task The_openapi_document_declares_the_oauth_scheme_with_xrefs_urls(string db)
    {
        await using var app = await StartAsync(db);
        var document = await JsonAssert.StatusAsync(await app.Client(null).GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        var scheme = document["components"]!["securitySchemes"]!["OauthSecurity"]!;
        Assert.Equal("oauth2", scheme["type"]!.GetValue<string>());
        var flow = scheme["flows"]!["authorizationCode"]!;
        Assert.EndsWith("/oauth/authorize", flow["authorizationUrl"]!.GetValue<string>());
        Assert.EndsWith("/oauth/token", flow["tokenUrl"]!.GetValue<string>());
        Assert.DoesNotContain("mavenlink", document.ToJsonString());
        Assert.DoesNotContain(document["paths"]!.AsObject(), p => p.Key.StartsWith("/oauth", StringComparison.Ordinal));
    }
}
