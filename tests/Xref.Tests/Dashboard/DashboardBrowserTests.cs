using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Xref.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Xref.Tests.Dashboard;

/// <summary>
/// The dashboard at <c>/ui</c> in Debian's chromium against a live Xref: sign in, counts equal to the API's, filters,
/// paging, the detail panel, reload, sign out; values carrying markup shown as text with no script run; a screenshot
/// kept as an artifact.
/// </summary>
public sealed class DashboardBrowserTests(Chromium chromium, ITestOutputHelper output) : IClassFixture<Chromium>
{
    private const string Token = "acme-dash-token";
    private const string MarkupService = "<img src=x onerror=\"window.__xss=1\">";
    private const string MarkupMessage = "<script>window.__xss=2</script> & <b>not bold</b>";
    private const string MarkupLink = "https://example.com/?q=\"><script>window.__xss=3</script>";
    private const string MarkupTitle = "<b>bold</b> & <i>co</i>";

    private static string Seed() => new JsonObject
    {
        ["accounts"] = new JsonArray(
            new JsonObject
            {
                ["id"] = 1, ["name"] = "Acme",
                ["users"] = new JsonArray(new JsonObject
                {
                    ["id"] = 10, ["full_name"] = "Ada", ["email_address"] = "ada@acme.example",
                    ["tokens"] = new JsonArray(new JsonObject { ["token"] = Token, ["scope"] = "write" }),
                }),
                ["subjects"] = new JsonObject
                {
                    ["Workspace"] = new JsonArray([.. Enumerable.Range(1, 30).Select(i => (JsonNode)new JsonObject
                        { ["id"] = i, ["title"] = i == 7 ? MarkupTitle : $"Workspace {i}" })]),
                },
            },
            new JsonObject
            {
                ["id"] = 2, ["name"] = "Globex",
                ["users"] = new JsonArray(new JsonObject
                {
                    ["id"] = 20, ["full_name"] = "Gil", ["email_address"] = "gil@globex.example",
                    ["tokens"] = new JsonArray(new JsonObject { ["token"] = "globex-dash-token", ["scope"] = "write" }),
                }),
                ["subjects"] = new JsonObject { ["Workspace"] = new JsonArray(new JsonObject { ["id"] = 1, ["title"] = "Globex" }) },
            }),
    }.ToJsonString();

    private static async Task UpsertAsync(HttpClient http, long subject, string service, string status, string? link = null, string? message = null)
    {
        var body = new JsonObject
        {
            ["external_reference"] = new JsonObject
            {
                ["subject_type"] = "Workspace", ["subject_id"] = subject, ["service_name"] = service, ["service_model"] = "Issue",
                ["service_model_ref"] = $"{service.Length}-{subject}", ["status"] = status, ["external_link"] = link,
                ["external_status"] = status == "failed" ? "Error 500" : "OK", ["external_message"] = message,
            },
        };
        using var response = await http.PostJson("/api/v1/external_references/create_or_update", body.ToJsonString());
        Assert.Equal(200, (int)response.StatusCode);
    }

    private static async Task<JsonNode> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        Assert.Equal(200, (int)response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>When the page first painted, in ms from the start of its navigation (Paint Timing API).</summary>
    public static Task<double> FirstPaintAsync(IPage page) => page.EvaluateAsync<double>("""
        () => new Promise(done => {
          const f = () => { const p = performance.getEntriesByName('first-contentful-paint')[0]; p ? done(p.startTime) : setTimeout(f, 10); };
          f(); })
        """);

    [Theory]
    [AllDatabases]
    public async Task The_dashboard_shows_the_account_as_the_API_does_and_never_runs_its_data(string kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind);
        var seed = await XrefApp.WriteSeedAsync(Seed());
        try
        {
            await using var xref = await LiveXref.StartAsync(database.Url, seed);
            using var http = new HttpClient { BaseAddress = new Uri(xref.BaseUrl) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            for (var i = 1; i <= 25; i++) await UpsertAsync(http, i, "jira", "failed", $"https://jira.example/browse/J-{i}", $"Timeout {i}");
            for (var i = 1; i <= 5; i++) await UpsertAsync(http, i, "netsuite", "successful");
            for (var i = 6; i <= 8; i++) await UpsertAsync(http, i, "netsuite", "pending");
            await UpsertAsync(http, 7, MarkupService, "failed", MarkupLink, MarkupMessage);
            await UpsertAsync(http, 9, "salesforce", "failed", "salesforce://Account/1", "Locked record");
            using (var report = await http.PostJson("/api/v1/status_reports", """
                {"status_report": {"workspace_id": 1, "color": "red", "description": "Sync blocked",
                  "external_reference": {"service_name": "jira", "service_model": "Issue", "service_model_ref": "R-1", "status": "failed"}}}
                """))
                Assert.Equal(200, (int)report.StatusCode);
            // Another account's failures never reach this account's page.
            using (var other = new HttpClient { BaseAddress = new Uri(xref.BaseUrl) })
            {
                other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "globex-dash-token");
                await UpsertAsync(other, 1, "globex-only", "failed");
            }

            await using var context = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
            var page = await context.NewPageAsync();
            var consoleErrors = new List<string>();
            page.Console += (_, message) => { if (message.Type == "error") consoleErrors.Add(message.Text); };
            page.PageError += (_, error) => consoleErrors.Add(error);

            await page.GotoAsync($"{xref.BaseUrl}/ui");
            var firstPaint = await FirstPaintAsync(page);
            await page.ReloadAsync();
            output.WriteLine($"first contentful paint: {firstPaint:F0} ms, after a reload {await FirstPaintAsync(page):F0} ms; " +
                await page.EvaluateAsync<string>("() => JSON.stringify(performance.getEntriesByType('navigation')[0])"));
            Assert.True(firstPaint < 1000, $"first paint took {firstPaint} ms");

            // Sign in: the token goes to session storage, never into the URL.
            await page.GetByLabel("API token").FillAsync(Token);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            var summary = page.Locator("#summary tbody tr");
            await Assertions.Expect(summary).ToHaveCountAsync(5);
            Assert.DoesNotContain(Token, page.Url);
            Assert.Equal(Token, await page.EvaluateAsync<string>("() => sessionStorage.getItem('xref.token')"));

            // The counts are the API's.
            var rows = new Dictionary<string, IReadOnlyList<string>>();
            for (var i = 0; i < 5; i++)
            {
                var cells = await summary.Nth(i).Locator("td").AllTextContentsAsync();
                rows[$"{cells[0]}/{cells[1]}"] = cells;
            }
            Assert.Equal(["StatusReport/jira", $"Workspace/{MarkupService}", "Workspace/jira", "Workspace/netsuite", "Workspace/salesforce"], rows.Keys);
            foreach (var (service, status, column) in new[] { ("jira", "failed", 4), ("netsuite", "pending", 2), ("netsuite", "successful", 3), ("salesforce", "failed", 4) })
            {
                var api = await GetAsync(http, $"/api/v1/external_references?subject_type=Workspace&service_name={service}&status={status}");
                Assert.Equal(api["count"]!.GetValue<long>().ToString(), rows[$"Workspace/{service}"][column]);
            }
            Assert.Equal("100.0 % of 25", rows["Workspace/jira"][5]);
            Assert.Equal("0.0 % of 8", rows["Workspace/netsuite"][5]);

            // The failed references, oldest sync first, 20 a page; then the second page.
            var refs = page.Locator("#refs tbody tr");
            await Assertions.Expect(page.Locator("#refs-page")).ToHaveTextAsync("Page 1 of 2");
            await Assertions.Expect(refs).ToHaveCountAsync(20);
            var apiFirst = await GetAsync(http, "/api/v1/external_references?subject_type=Workspace&status=failed&order=last_synced_at:asc&per_page=20");
            Assert.Equal(27, apiFirst["count"]!.GetValue<long>());
            var expectedRefs = apiFirst["results"]!.AsArray()
                .Select(r => apiFirst["external_references"]![r!["id"]!.GetValue<string>()]!)
                .Select(r => $"{r["service_model"]} {r["service_model_ref"]}").ToList();
            Assert.Equal(expectedRefs, await page.Locator("#refs tbody tr td:nth-child(3)").AllTextContentsAsync());
            Assert.Equal("Workspace 1 · Workspace 1", await refs.First.Locator("td").First.TextContentAsync());
            await page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).First.ClickAsync();
            await Assertions.Expect(page.Locator("#refs-page")).ToHaveTextAsync("Page 2 of 2");
            await Assertions.Expect(refs).ToHaveCountAsync(7);

            // Filter on the service whose name is markup: shown as text, its link an https link that opens safely.
            await page.GetByLabel("Service", new() { Exact = true }).FillAsync(MarkupService);
            await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
            await Assertions.Expect(refs).ToHaveCountAsync(1);
            var cellTexts = await refs.First.Locator("td").AllTextContentsAsync();
            Assert.Equal(["Workspace 7 · " + MarkupTitle, MarkupService, "Issue 36-7", "Open", "failed", "Error 500", MarkupMessage], cellTexts.Take(7));
            var link = refs.First.Locator("a");
            Assert.Equal("noopener noreferrer", await link.GetAttributeAsync("rel"));
            Assert.Equal("_blank", await link.GetAttributeAsync("target"));
            Assert.Equal(new Uri(MarkupLink).AbsoluteUri, await link.GetAttributeAsync("href"));

            // The detail panel, opened and closed from the keyboard.
            await refs.First.GetByRole(AriaRole.Button).FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            var detail = page.Locator("#detail");
            await Assertions.Expect(detail).ToBeVisibleAsync();
            await Assertions.Expect(detail.Locator("dd").Nth(7)).ToHaveTextAsync(MarkupMessage);
            await Assertions.Expect(detail.Locator("dd").Nth(1)).ToHaveTextAsync("Workspace 7 · " + MarkupTitle);
            await page.Keyboard.PressAsync("Escape");
            await Assertions.Expect(detail).ToBeHiddenAsync();

            // A link that is not http(s) stays text.
            await page.GetByLabel("Service", new() { Exact = true }).FillAsync("salesforce");
            await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
            await Assertions.Expect(refs.First.Locator("td").Nth(1)).ToHaveTextAsync("salesforce");
            Assert.Equal(0, await refs.Locator("a").CountAsync());
            Assert.Equal("salesforce://Account/1", await refs.First.Locator("td").Nth(3).TextContentAsync());

            // A reload keeps the filters and the sign-in (this tab's session storage).
            await page.ReloadAsync();
            await Assertions.Expect(page.GetByLabel("Service", new() { Exact = true })).ToHaveValueAsync("salesforce");
            await Assertions.Expect(refs).ToHaveCountAsync(1);

            // Status reports with their references.
            await Assertions.Expect(page.Locator("#reports > li")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator("#reports > li")).ToContainTextAsync("Sync blocked");
            await Assertions.Expect(page.Locator("#reports > li li")).ToContainTextAsync("jira: failed");

            // No script from the data ran, no element came from it, and nothing broke the page's policy.
            Assert.Null(await page.EvaluateAsync<string?>("() => window.__xss === undefined ? null : String(window.__xss)"));
            Assert.Equal(0, await page.Locator("img, #refs script, #summary script").CountAsync());
            Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));

            // The screenshot kept with the test results (docs/dashboard.png is a copy of the SQLite one).
            await page.GetByRole(AriaRole.Button, new() { Name = "Failed", Exact = true }).ClickAsync();
            await page.GetByLabel("Service", new() { Exact = true }).FillAsync("");
            await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
            await Assertions.Expect(refs).ToHaveCountAsync(20);
            var shot = Chromium.ArtifactPath($"dashboard-{kind}.png");
            await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
            Assert.True(new FileInfo(shot).Length > 10_000);

            // Readable on a phone: nothing wider than the screen but the tables' own scroll areas.
            await page.SetViewportSizeAsync(390, 844);
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));

            // Signing out forgets the token.
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await Assertions.Expect(page.GetByLabel("API token")).ToBeVisibleAsync();
            Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('xref.token')"));
        }
        finally
        {
            File.Delete(seed);
        }
    }
}
