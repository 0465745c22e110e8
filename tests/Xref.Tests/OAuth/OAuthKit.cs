using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.OAuth;

/// <summary>The standard test seed with an OAuth application in account 1, and the steps of the flow a client takes.</summary>
public static partial class OAuthKit
{
    public const string ClientId = "jira-sync-client";
    public const string Secret = "jira-sync-secret";
    public const string Callback = "https://jira.example/oauth/callback";
    public const string OtherCallback = "http://localhost:8080/cb";
    public const string AuthorizeUrl = $"/oauth/authorize?response_type=code&client_id={ClientId}&redirect_uri=https%3A%2F%2Fjira.example%2Foauth%2Fcallback&state=xyz";

    /// <summary>The standard seed, account 1 registering "Jira sync" (<paramref name="name"/>) with two callbacks.</summary>
    public static string Seed(string name = "Jira sync") => XrefApp.StandardSeed.Replace("\"name\": \"Acme Consulting\",",
        $$"""
        "name": "Acme Consulting", "applications": [{"client_id": "{{ClientId}}", "client_secret": "{{Secret}}", "name": {{System.Text.Json.JsonSerializer.Serialize(name)}},
          "redirect_uris": ["{{Callback}}", "{{OtherCallback}}"]}],
        """);

    public static Task<XrefApp> StartAsync(string db, string? name = null, Dictionary<string, string?>? settings = null, bool manualClock = true) =>
        XrefApp.StartAsync(db, Seed(name ?? "Jira sync"), settings, manualClock);

    /// <summary>A browser: no bearer token, its own cookies, redirects not followed.</summary>
    public static HttpClient Browser(this XrefApp app) => app.Client(null);

    /// <summary>GETs the authorize page and returns its HTML, asserting a 200 page.</summary>
    public static async Task<string> PageAsync(HttpClient browser, string url = AuthorizeUrl)
    {
        var page = await browser.GetAsync(url);
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"{(int)page.StatusCode}: {html}");
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType!.ToString());
        return html;
    }

    public static string FormToken(string html) => FormTokenPattern().Match(html) is { Success: true } m ? m.Groups[1].Value : throw new Xunit.Sdk.XunitException("no form_token in " + html);

    /// <summary>The user ids the page offers.</summary>
    public static List<string> UserChoices(string html) => OptionPattern().Matches(html).Select(m => m.Groups[1].Value).ToList();

    public static Task<HttpResponseMessage> DecideAsync(HttpClient browser, string formToken, string decision, string? userId = "10") =>
        browser.PostAsync("/oauth/authorize", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["form_token"] = formToken, ["decision"] = decision, ["user_id"] = userId ?? "",
        }));

    /// <summary>The whole browser part: page, Allow as <paramref name="userId"/>; returns the code from the redirect.</summary>
    public static async Task<string> AuthorizeAsync(XrefApp app, string userId = "10")
    {
        var browser = app.Browser();
        var allowed = await DecideAsync(browser, FormToken(await PageAsync(browser)), "allow", userId);
        Assert.Equal(HttpStatusCode.Redirect, allowed.StatusCode);
        var location = allowed.Headers.Location!.OriginalString;
        var match = CodePattern().Match(location);
        Assert.True(match.Success, location);
        return match.Groups[1].Value;
    }

    /// <summary>POST /oauth/token with the parameters in the form body (credentials too, unless <paramref name="basic"/>).</summary>
    public static Task<HttpResponseMessage> ExchangeAsync(XrefApp app, string code, string secret = Secret, bool basic = false,
        string redirectUri = Callback, string clientId = ClientId)
    {
        var fields = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = redirectUri };
        var client = app.Client(null);
        if (basic)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));
        else
        {
            fields["client_id"] = clientId;
            fields["client_secret"] = secret;
        }
        return client.PostAsync("/oauth/token", new FormUrlEncodedContent(fields));
    }

    /// <summary>Exchanges a code, asserting the exact success response; returns the access token.</summary>
    public static async Task<string> TokenAsync(XrefApp app, string code, bool basic = false)
    {
        var response = await ExchangeAsync(app, code, basic: basic);
        var body = await JsonAssert.StatusAsync(response, HttpStatusCode.OK);
        var token = body["access_token"]!.GetValue<string>();
        Assert.Matches("^xref_[A-Za-z0-9_-]{43}$", token);
        JsonAssert.Equal($$"""{"access_token":"{{token}}","token_type":"bearer"}""", body.ToJsonString());
        Assert.True(response.Headers.CacheControl!.NoStore);
        Assert.Contains("no-cache", response.Headers.Pragma.ToString());
        return token;
    }

    /// <summary>Asserts an RFC 6749 §5.2 error: status, <c>error</c>, and a description present.</summary>
    public static async Task<string> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var body = await JsonAssert.StatusAsync(response, status);
        Assert.Equal(["error", "error_description"], body.AsObject().Select(p => p.Key));
        Assert.Equal(error, body["error"]!.GetValue<string>());
        Assert.True(response.Headers.CacheControl!.NoStore);
        return body["error_description"]!.GetValue<string>();
    }

    public static Task<HttpResponseMessage> ApiAsync(XrefApp app, string token) =>
        app.Client(token).GetAsync("/api/v1/external_references?subject_type=Workspace");

    [GeneratedRegex("name=\"form_token\" value=\"([^\"]+)\"")]
    private static partial Regex FormTokenPattern();

    [GeneratedRegex("<option value=\"(\\d+)\">")]
    private static partial Regex OptionPattern();

    [GeneratedRegex("^https://jira\\.example/oauth/callback\\?code=([A-Za-z0-9_-]{43})&state=xyz$")]
    private static partial Regex CodePattern();
}
