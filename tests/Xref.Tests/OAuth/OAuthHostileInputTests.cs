using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xref.Tests.Infrastructure;
using static Xref.Tests.OAuth.OAuthKit;

namespace Xref.Tests.OAuth;

/// <summary>Concurrent and random input against the OAuth endpoints: one winner per code, never a 5xx.</summary>
public sealed class OAuthHostileInputTests
{
    [Theory, AllDatabases]
    public async Task Of_concurrent_exchanges_of_one_code_one_wins_and_the_replays_revoke_its_token(string db)
    {
        await using var app = await StartAsync(db);
        var code = await AuthorizeAsync(app);
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => ExchangeAsync(app, code)));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
            Assert.Contains("already been used", await ErrorAsync(refused, HttpStatusCode.BadRequest, "invalid_grant"));
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM api_tokens WHERE application_id = 1"));
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM api_tokens WHERE application_id = 1 AND revoked_at IS NOT NULL"));
    }

    [Theory, AllDatabases]
    public async Task Random_requests_get_the_rfcs_errors_or_pages_and_never_a_5xx(string db)
    {
        await using var app = await StartAsync(db);
        var code = await AuthorizeAsync(app);
        var random = new Random(12);
        string[] names = ["grant_type", "code", "redirect_uri", "client_id", "client_secret", "response_type", "state", "form_token", "decision", "user_id", "x[y]", ""];
        string[] values = ["", "authorization_code", "code", code, ClientId, Secret, Callback, "%00", "%FF%FE", "a%", "é✓", new string('z', 3000), "10", "-1",
            "allow", "deny", "99999999999999999999", "<b>", "+", "%2B", "[]", "{}"];
        string Query() => string.Join('&', Enumerable.Range(0, random.Next(0, 7)).Select(_ =>
            names[random.Next(names.Length)] + (random.Next(5) == 0 ? "" : "=" + values[random.Next(values.Length)])));
        string[] contentTypes = ["application/x-www-form-urlencoded", "application/json", "text/plain", "multipart/form-data; boundary=x", ""];
        for (var i = 0; i < 150; i++)
        {
            var browser = app.Browser();
            var get = await browser.GetAsync("/oauth/authorize?" + Query());
            Assert.True(get.StatusCode is HttpStatusCode.OK or HttpStatusCode.Found or HttpStatusCode.BadRequest, $"GET {(int)get.StatusCode}");

            foreach (var path in new[] { "/oauth/token", "/oauth/authorize" })
            {
                var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Query()));
                var type = contentTypes[random.Next(contentTypes.Length)];
                if (type.Length > 0) content.Headers.TryAddWithoutValidation("Content-Type", type);
                var client = app.Client(null);
                if (random.Next(4) == 0) client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", random.Next(2) == 0 ? "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{values[random.Next(values.Length)]}")) : "Basic ###");
                var response = await client.PostAsync(path + (random.Next(3) == 0 ? "?" + Query() : ""), content);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True((int)response.StatusCode < 500, $"POST {path}: {(int)response.StatusCode} {body}");
                if (path == "/oauth/token" && response.StatusCode != HttpStatusCode.OK)
                    Assert.NotNull(JsonNode.Parse(body)!["error"]);
            }
        }
    }
}
