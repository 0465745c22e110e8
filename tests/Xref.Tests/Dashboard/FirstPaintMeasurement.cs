using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Xref.Tests.Dashboard;

/// <summary>
/// Measures the dashboard against a server the operator started (docs/dashboard.md, "Performance"): first paint and
/// the time until the summary and the first page of references are on screen, signed in, median of 7 loads. Runs
/// only when <c>XREF_DASHBOARD_URL</c> and <c>XREF_DASHBOARD_TOKEN</c> are set; the suite's browser test checks the page itself.
/// </summary>
public sealed class FirstPaintMeasurement(Chromium chromium, ITestOutputHelper output) : IClassFixture<Chromium>
{
    /// <summary>A fact that runs only when the server to measure is named.</summary>
    public sealed class MeasurementFactAttribute : FactAttribute
    {
        public MeasurementFactAttribute()
        {
            if (Environment.GetEnvironmentVariable("XREF_DASHBOARD_URL") is null)
                Skip = "set XREF_DASHBOARD_URL and XREF_DASHBOARD_TOKEN to measure a running server";
        }
    }

    [MeasurementFact]
    public async Task First_paint_and_first_data_of_a_running_server()
    {
        var url = Environment.GetEnvironmentVariable("XREF_DASHBOARD_URL")!;
        var token = Environment.GetEnvironmentVariable("XREF_DASHBOARD_TOKEN")!;
        await using var context = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{url}/ui");
        await page.GetByLabel("API token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#refs tbody tr").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var paints = new List<double>();
        var data = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            await page.ReloadAsync();
            paints.Add(await DashboardBrowserTests.FirstPaintAsync(page));
            await Assertions.Expect(page.Locator("#refs tbody tr").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#reports-status")).Not.ToBeEmptyAsync();
            // When the last of the three API answers was on screen, measured in the page's own clock.
            data.Add(await page.EvaluateAsync<double>("() => Math.max(...performance.getEntriesByType('resource').filter(r => r.initiatorType === 'fetch').map(r => r.responseEnd))"));
        }
        output.WriteLine($"first contentful paint, ms: median {Median(paints):F0} (all: {string.Join(", ", paints.Select(p => p.ToString("F0")))})");
        output.WriteLine($"last API answer received, ms: median {Median(data):F0} (all: {string.Join(", ", data.Select(p => p.ToString("F0")))})");
        Assert.True(Median(paints) < 300, $"first paint: median {Median(paints)} ms");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
