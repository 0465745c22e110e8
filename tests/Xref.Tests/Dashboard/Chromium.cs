using Microsoft.Playwright;

namespace Xref.Tests.Dashboard;

/// <summary>
/// Debian's chromium (installed by scripts/install-test-deps.sh; Playwright's own browser download is not used),
/// driven headless by Playwright, once per test class.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"{ExecutablePath} is missing: run scripts/install-test-deps.sh (scripts/test.sh does).");
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            ChromiumSandbox = false,
            // Without these, chromium reaches for Google's hosts at start (refused on a closed network, slow elsewhere).
            Args = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright?.Dispose();
    }

    /// <summary>Where test artifacts (screenshots) go: <c>XREF_TEST_ARTIFACTS</c>, else <c>artifacts/</c> beside the test binaries.</summary>
    public static string ArtifactPath(string name)
    {
        var folder = Environment.GetEnvironmentVariable("XREF_TEST_ARTIFACTS") is { Length: > 0 } configured
            ? configured : Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
