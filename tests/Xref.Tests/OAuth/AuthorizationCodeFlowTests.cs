using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Xref.Tests.Infrastructure;
using static Xref.Tests.OAuth.OAuthKit;

namespace Xref.Tests.OAuth;

/// <summary>The authorization-code flow of issue 12 through HTTP, on both databases: page, decision, exchange, use.</summary>
public sealed class AuthorizationCodeFlowTests
{
    private const string Denied = "error=access_denied&error_description=The+resource+owner+or+authorization+server+denied+the+request.";

    [Theory, AllDatabases]
    public async Task The_whole_flow_from_the_page_to_an_api_call_as_the_chosen_user(string db)
    {
        await using var app = await StartAsync(db);
        var browser = app.Browser();
        var page = await browser.GetAsync(AuthorizeUrl);
        var html = await PageAsync(browser);
        Assert.Contains("Allow <b>Jira sync</b> to use Kantata as …", html);
        Assert.Contains("<label for=\"user_id\">Use Kantata as</label>", html);
        Assert.Contains("<option value=\"10\">Ada Admin (ada@acme.example)</option>", html);
        Assert.Equal(["10", "11"], UserChoices(html));
        Assert.Contains("<button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("http", html.Replace(Callback, ""));
        Assert.StartsWith("default-src 'none'; style-src 'sha256-", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());

        var allowed = await DecideAsync(browser, FormToken(html), "allow", "11");
        Assert.Equal(HttpStatusCode.Redirect, allowed.StatusCode);
        var location = allowed.Headers.Location!.OriginalString;
        Assert.Matches("^https://jira\\.example/oauth/callback\\?code=[A-Za-z0-9_-]{43}&state=xyz$", location);
        var code = location.Split("code=")[1].Split('&')[0];
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM oauth_authorization_codes WHERE code_hash = @code", new { code }));

        var token = await TokenAsync(app, code);
        var created = await app.Client(token).PostJson("/api/v1/external_references/create_or_update",
            """{"external_reference": {"subject_type": "Workspace", "subject_id": 100, "service_name": "jira", "service_model": "issue", "service_model_ref": "J-1"}}""");
        await JsonAssert.StatusAsync(created, HttpStatusCode.OK);
        var listed = await JsonAssert.StatusAsync(await ApiAsync(app, token), HttpStatusCode.OK);
        Assert.Equal(1, listed["count"]!.GetValue<long>());
        // An ordinary write token of user 11 in account 1, issued by application 1; stored only hashed.
        Assert.Equal(1, await Sql.CountAsync(app,
            "SELECT COUNT(*) FROM api_tokens WHERE user_id = 11 AND account_id = 1 AND scope = 'write' AND application_id = 1 AND token_hash = @hash",
            new { hash = Xref.Auth.Tokens.Hash(token) }));
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM api_tokens WHERE token_hash = @token", new { token }));
    }

    [Theory, AllDatabases]
    public async Task Deny_redirects_with_access_denied_and_the_state_and_issues_nothing(string db)
    {
        await using var app = await StartAsync(db);
        var browser = app.Browser();
        var denied = await DecideAsync(browser, FormToken(await PageAsync(browser)), "deny", userId: null);
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.Equal($"{Callback}?{Denied}&state=xyz", denied.Headers.Location!.OriginalString);
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM oauth_authorization_codes"));

        // Without a state, none is sent back; a callback with a query of its own keeps it.
        await app.ExecuteSqlAsync("UPDATE oauth_applications SET redirect_uris = '[\"https://jira.example/cb?tenant=7\"]'");
        var html = await PageAsync(browser, $"/oauth/authorize?response_type=code&client_id={ClientId}&redirect_uri=https%3A%2F%2Fjira.example%2Fcb%3Ftenant%3D7");
        var second = await DecideAsync(browser, FormToken(html), "deny");
        Assert.Equal($"https://jira.example/cb?tenant=7&{Denied}", second.Headers.Location!.OriginalString);
    }

    [Theory, AllDatabases]
    public async Task An_unknown_client_or_an_unregistered_redirect_uri_gets_a_400_page_and_never_a_redirect(string db)
    {
        await using var app = await StartAsync(db);
        var browser = app.Browser();
        foreach (var url in new[]
        {
            "/oauth/authorize?response_type=code&client_id=nobody&redirect_uri=https%3A%2F%2Fjira.example%2Foauth%2Fcallback&state=xyz",
            $"/oauth/authorize?response_type=code&client_id={ClientId}&redirect_uri=https%3A%2F%2Fevil.example%2Foauth%2Fcallback&state=xyz",
            $"/oauth/authorize?response_type=code&client_id={ClientId}&redirect_uri=https%3A%2F%2Fjira.example%2Foauth%2Fcallback%2F&state=xyz",
            $"/oauth/authorize?response_type=token&client_id={ClientId}&state=xyz",
            $"/oauth/authorize?response_type=code&client_id={ClientId}&client_id={ClientId}&redirect_uri=https%3A%2F%2Fjira.example%2Foauth%2Fcallback",
            "/oauth/authorize",
            "/oauth/authorize?response_type=code&client_id=a%00&redirect_uri=%00",
        })
        {
            var response = await browser.GetAsync(url);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}: {(int)response.StatusCode} {html}");
            Assert.Null(response.Headers.Location);
            Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
            Assert.Contains("<h1>", html);
            Assert.DoesNotContain("evil.example", html);
        }
    }

    [Theory, AllDatabases]
    public async Task A_response_type_other_than_code_redirects_with_unsupported_response_type(string db)
    {
        await using var app = await StartAsync(db);
        var browser = app.Browser();
        var token = await browser.GetAsync(AuthorizeUrl.Replace("response_type=code", "response_type=token"));
        Assert.Equal(HttpStatusCode.Redirect, token.StatusCode);
        Assert.Equal($"{Callback}?error=unsupported_response_type&error_description=The+authorization+server+does+not+support+this+response+type.&state=xyz",
            token.Headers.Location!.OriginalString);
        var missing = await browser.GetAsync(AuthorizeUrl.Replace("response_type=code&", ""));
        Assert.Equal($"{Callback}?error=invalid_request&error_description=Missing+required+parameter%3A+response_type.&state=xyz",
            missing.Headers.Location!.OriginalString);
    }

    [Theory, AllDatabases]
    public async Task A_replayed_code_is_refused_and_revokes_the_token_it_gave(string db)
    {
        await using var app = await StartAsync(db);
        var code = await AuthorizeAsync(app);
        var token = await TokenAsync(app, code);
        Assert.Equal(HttpStatusCode.OK, (await ApiAsync(app, token)).StatusCode);
        var replay = await ErrorAsync(await ExchangeAsync(app, code), HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Contains("already been used", replay);
        await Task.Delay(TimeSpan.FromSeconds(1.1)); // the token cache's second
        await JsonAssert.ResponseAsync(await ApiAsync(app, token), HttpStatusCode.Unauthorized, Expected.Unauthorized);
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM api_tokens WHERE application_id = 1 AND revoked_at IS NOT NULL"));
        // A code is also bound to its redirect URI and its client.
        var other = await AuthorizeAsync(app);
        Assert.Contains("redirect_uri does not match", await ErrorAsync(await ExchangeAsync(app, other, redirectUri: OtherCallback), HttpStatusCode.BadRequest, "invalid_grant"));
        await ErrorAsync(await ExchangeAsync(app, "made-up-code"), HttpStatusCode.BadRequest, "invalid_grant");
        await TokenAsync(app, other);
    }

    [Theory, AllDatabases]
    public async Task A_code_expires_after_five_minutes_of_xrefs_clock(string db)
    {
        await using var app = await StartAsync(db, settings: XrefApp.SandboxSettings(), manualClock: false);
        await JsonAssert.StatusAsync(await app.Control().PostJson("/_xref/clock", """{"now": "2030-01-01T00:00:00Z"}"""), HttpStatusCode.OK);
        var early = await AuthorizeAsync(app);
        var late = await AuthorizeAsync(app);
        Assert.Equal(2, await Sql.CountAsync(app, "SELECT COUNT(*) FROM oauth_authorization_codes WHERE expires_at = @at",
            new { at = new DateTimeOffset(2030, 1, 1, 0, 5, 0, TimeSpan.Zero).ToUnixTimeSeconds() }));
        await app.Control().PostJson("/_xref/clock", """{"advance_seconds": 299}""");
        await TokenAsync(app, early);
        await app.Control().PostJson("/_xref/clock", """{"advance_seconds": 1}""");
        var expired = await ErrorAsync(await ExchangeAsync(app, late), HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Contains("expired", expired);
    }

    [Theory, AllDatabases]
    public async Task A_wrong_secret_is_invalid_client_by_basic_and_by_body(string db)
    {
        await using var app = await StartAsync(db);
        var code = await AuthorizeAsync(app);
        var byBasic = await ExchangeAsync(app, code, secret: "wrong", basic: true);
        await ErrorAsync(byBasic, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.Equal("Basic realm=\"Xref\"", byBasic.Headers.WwwAuthenticate.ToString());
        var byBody = await ExchangeAsync(app, code, secret: "wrong");
        await ErrorAsync(byBody, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.Empty(byBody.Headers.WwwAuthenticate);
        await ErrorAsync(await ExchangeAsync(app, code, clientId: "nobody"), HttpStatusCode.Unauthorized, "invalid_client");
        // The failures did not use the code up: the right credentials, by Basic, still get the token.
        await TokenAsync(app, code, basic: true);
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM api_tokens WHERE application_id IS NOT NULL"));
    }

    [Theory, AllDatabases]
    public async Task Bad_token_requests_get_the_rfc_errors_and_never_a_500(string db)
    {
        await using var app = await StartAsync(db);
        var code = await AuthorizeAsync(app);
        var client = app.Client(null);
        async Task<string> Error(HttpContent? content, HttpStatusCode status, string error, string query = "") =>
            await ErrorAsync(await client.PostAsync("/oauth/token" + query, content), status, error);
        var credentials = $"client_id={ClientId}&client_secret={Secret}";
        Assert.Equal("Missing required parameter: grant_type.", await Error(Requests.Form($"{credentials}&code={code}"), HttpStatusCode.BadRequest, "invalid_request"));
        await Error(Requests.Form($"{credentials}&grant_type=password&username=a&password=b"), HttpStatusCode.BadRequest, "unsupported_grant_type");
        await Error(Requests.Form($"{credentials}&grant_type=client_credentials"), HttpStatusCode.BadRequest, "unsupported_grant_type");
        Assert.Equal("Missing required parameter: code.", await Error(Requests.Form($"{credentials}&grant_type=authorization_code&redirect_uri=x"), HttpStatusCode.BadRequest, "invalid_request"));
        Assert.Equal("Missing required parameter: redirect_uri.", await Error(Requests.Form($"{credentials}&grant_type=authorization_code&code={code}"), HttpStatusCode.BadRequest, "invalid_request"));
        await Error(Requests.Form($"{credentials}&grant_type=authorization_code&code={code}&code={code}&redirect_uri=x"), HttpStatusCode.BadRequest, "invalid_request");
        await Error(Requests.Json($$"""{"grant_type": "authorization_code", "code": "{{code}}"}"""), HttpStatusCode.BadRequest, "invalid_request");
        var garbled = await client.PostAsync("/oauth/token", Requests.Form("%FF%FE=%C3%28&grant_type=authorization_code&code=%00"));
        await ErrorAsync(garbled, garbled.StatusCode == HttpStatusCode.BadRequest ? HttpStatusCode.BadRequest : HttpStatusCode.Unauthorized,
            garbled.StatusCode == HttpStatusCode.BadRequest ? "invalid_request" : "invalid_client");
        await Error(Requests.Form("grant_type=authorization_code&client_id=" + new string('a', 5000)), HttpStatusCode.BadRequest, "invalid_request");
        await Error(Requests.Form("grant_type=authorization_code&code=x&redirect_uri=y"), HttpStatusCode.Unauthorized, "invalid_client");
        await Error(Requests.Form($"grant_type=authorization_code&client_id=a%00b&client_secret={Secret}"), HttpStatusCode.BadRequest, "invalid_request");
        await Error(Requests.Form($"{credentials}&grant_type=authorization_code&code={code}&redirect_uri=%00"), HttpStatusCode.BadRequest, "invalid_request");
        await Error(null, HttpStatusCode.BadRequest, "invalid_request");
        // Both ways of authenticating at once; a malformed Basic header.
        var basic = app.Client(null);
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{Secret}")));
        await ErrorAsync(await basic.PostAsync("/oauth/token", Requests.Form($"grant_type=authorization_code&client_secret={Secret}&code={code}&redirect_uri=x")),
            HttpStatusCode.BadRequest, "invalid_request");
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "%%%not-base64");
        await ErrorAsync(await basic.PostAsync("/oauth/token", Requests.Form("grant_type=authorization_code")), HttpStatusCode.Unauthorized, "invalid_client");
        // Kantata's guide sends the parameters in the query string: that works too.
        var token = await JsonAssert.StatusAsync(await client.PostAsync(
            $"/oauth/token?{credentials}&grant_type=authorization_code&code={code}&redirect_uri={Uri.EscapeDataString(Callback)}", null), HttpStatusCode.OK);
        Assert.Equal("bearer", token["token_type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/oauth/token")).StatusCode);
    }

    [Theory, AllDatabases]
    public async Task Failed_token_requests_spend_the_addresss_failed_authentications(string db)
    {
        await using var app = await StartAsync(db, settings: new() { ["rate-limit"] = "50/200" });
        var code = await AuthorizeAsync(app);
        HttpResponseMessage last = null!;
        for (var i = 0; i < 40 && last?.StatusCode != HttpStatusCode.TooManyRequests; i++)
            last = await ExchangeAsync(app, code, secret: "guess-" + i);
        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
        await ErrorAsync(last, HttpStatusCode.TooManyRequests, "slow_down");
        Assert.NotNull(last.Headers.RetryAfter);
        // Blocked before any lookup: even the right secret waits.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await ExchangeAsync(app, code)).StatusCode);
    }

    [Theory, AllDatabases]
    public async Task A_post_without_this_pages_form_token_is_refused(string db)
    {
        await using var app = await StartAsync(db);
        var browser = app.Browser();
        var token = FormToken(await PageAsync(browser));
        async Task Refused(HttpResponseMessage response)
        {
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{(int)response.StatusCode}: {html}");
            Assert.Null(response.Headers.Location);
        }
        await Refused(await browser.PostAsync("/oauth/authorize", Requests.Form("decision=allow&user_id=10")));
        await Refused(await DecideAsync(browser, token[..^4] + "AAAA", "allow"));
        await Refused(await DecideAsync(browser, "not-a-token", "allow"));
        // The right token, posted from another site's page (no SameSite cookie), or from another browser.
        await Refused(await DecideAsync(app.Browser(), token, "allow"));
        var otherBrowser = app.Browser();
        await PageAsync(otherBrowser);
        await Refused(await DecideAsync(otherBrowser, token, "allow"));
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM oauth_authorization_codes"));
        // A user of another account, or no decision: a 400 page, no code.
        Assert.Equal(HttpStatusCode.BadRequest, (await DecideAsync(browser, token, "allow", "20")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await DecideAsync(browser, token, "maybe")).StatusCode);
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM oauth_authorization_codes"));
        Assert.Equal(HttpStatusCode.Redirect, (await DecideAsync(browser, token, "allow", "10")).StatusCode);
    }

    [Theory, AllDatabases]
    public async Task Markup_in_an_application_or_user_name_is_shown_as_text(string db)
    {
        await using var app = await StartAsync(db, name: "<script>alert(1)</script> & \"Co\"");
        await app.ExecuteSqlAsync("UPDATE users SET full_name = '<img src=x onerror=alert(2)>' WHERE id = 11");
        var html = await PageAsync(app.Browser());
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<img", html);
        Assert.Contains("Allow <b>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;</b> to use Kantata as", html);
        Assert.Contains("&lt;img src=x onerror=alert(2)&gt;", html);
    }
}
