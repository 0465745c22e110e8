using System.Net;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.Dashboard;

/// <summary>
/// <c>GET /ui/api/summary</c> (counts by status from the count tables, syncs of the last 24 hours from the hourly
/// buckets, the caller's account only) and the headers the page is served with.
/// </summary>
public sealed class SummaryTests
{
    private static async Task UpsertAsync(HttpClient client, string type, long subject, string service, string status)
    {
        using var response = await client.PostJson("/api/v1/external_references/create_or_update",
            $$$"""{"external_reference": {"subject_type": "{{{type}}}", "subject_id": {{{subject}}}, "service_name": "{{{service}}}", "service_model": "m", "service_model_ref": "r", "status": "{{{status}}}"}}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string Row(string type, string service, long pending, long successful, long failed, long syncs, long failedSyncs) =>
        $$$"""{"subject_type":"{{{type}}}","service_name":"{{{service}}}","pending":{{{pending}}},"successful":{{{successful}}},"failed":{{{failed}}},"syncs_24h":{{{syncs}}},"failed_syncs_24h":{{{failedSyncs}}}}""";

    [Theory]
    [AllDatabases]
    public async Task The_summary_counts_by_status_and_the_last_24_hours_of_syncs_of_the_callers_account(string kind)
    {
        await using var app = await XrefApp.StartAsync(kind);
        var acme = app.Client();
        await UpsertAsync(acme, "Workspace", 100, "jira", "failed");
        await UpsertAsync(acme, "Story", 200, "jira", "successful");
        foreach (var status in new[] { "successful", "failed", "successful" }) await UpsertAsync(acme, "Workspace", 101, "jira", status);
        await UpsertAsync(acme, "Workspace", 100, "netsuite", "pending");
        await UpsertAsync(app.Client(XrefApp.OtherWrite), "Workspace", 900, "jira", "failed");

        // ManualClock starts at 2026-11-22T14:15:20Z: the window is this hour and the 23 before it.
        await JsonAssert.ResponseAsync(await app.Client(XrefApp.AcmeRead).GetAsync("/ui/api/summary"), HttpStatusCode.OK, $$"""
            {"generated_at":"2026-11-22T14:15:20Z","window_starts_at":"2026-11-21T15:00:00Z","rows":[
              {{Row("Story", "jira", 0, 1, 0, 1, 0)}},
              {{Row("Workspace", "jira", 0, 1, 1, 4, 2)}},
              {{Row("Workspace", "netsuite", 1, 0, 0, 1, 0)}}]}
            """);

        // A day later those syncs have left the window; the counts have not moved. A new sync enters it.
        app.Clock.Advance(TimeSpan.FromHours(24));
        await UpsertAsync(acme, "Workspace", 100, "jira", "successful");
        await JsonAssert.ResponseAsync(await acme.GetAsync("/ui/api/summary"), HttpStatusCode.OK, $$"""
            {"generated_at":"2026-11-23T14:15:20Z","window_starts_at":"2026-11-22T15:00:00Z","rows":[
              {{Row("Story", "jira", 0, 1, 0, 0, 0)}},
              {{Row("Workspace", "jira", 0, 2, 0, 1, 0)}},
              {{Row("Workspace", "netsuite", 1, 0, 0, 0, 0)}}]}
            """);

        await JsonAssert.ResponseAsync(await app.Client(null).GetAsync("/ui/api/summary"), HttpStatusCode.Unauthorized,
            """{"errors":[{"type":"oauth","message":"Invalid OAuth 2 Request"}]}""");
    }

    [Fact]
    public async Task The_page_is_served_under_a_strict_content_security_policy_and_linked_from_the_root()
    {
        await using var app = await XrefApp.StartAsync("sqlite", seed: null);
        var client = app.Client(null);
        using var page = await client.GetAsync("/ui");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType!.ToString());
        Assert.Equal("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; " +
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("http", html.Replace("http-equiv", ""));
        Assert.Contains("<script src=\"/ui/app.js\" defer></script>", html);

        using var script = await client.GetAsync("/ui/app.js");
        Assert.Equal("text/javascript; charset=utf-8", script.Content.Headers.ContentType!.ToString());
        var code = await script.Content.ReadAsStringAsync();
        Assert.All(new[] { ".innerHTML", ".outerHTML", "insertAdjacentHTML", "document.write", "eval(" }, sink => Assert.DoesNotContain(sink, code));
        using var root = await client.GetAsync("/");
        Assert.Contains("<a href=\"/ui\">Sync-status dashboard</a>", await root.Content.ReadAsStringAsync());
    }
}
