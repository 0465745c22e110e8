using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration.Memory;

namespace Xref.Hosting;

/// <summary>
/// Xref inside another process (Xref.Testing's sandbox): the same services and pipeline as <c>Program.cs</c>, its
/// settings given as values (the command-line option names without <c>--</c>) instead of read from the command line,
/// the environment and appsettings files, so nothing of the hosting test project reaches it.
/// </summary>
public static class XrefHost
{
    /// <summary>Builds Xref listening on <paramref name="urls"/> (<c>http://127.0.0.1:0</c>: a free loopback port).</summary>
    /// <param name="settings">Such as <c>database=memory</c>, <c>admin-token=…</c>, <c>seed=/path/seed.json</c>.</param>
    /// <param name="urls">Where Kestrel listens.</param>
    public static WebApplication Build(IReadOnlyDictionary<string, string?> settings, string urls = "http://127.0.0.1:0")
    {
        // The application is Xref, not the test assembly that hosts it (hosting startup and content lookups go by it).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = typeof(XrefHost).Assembly.GetName().Name, Args = [] });
        // Only these settings: the host's appsettings.json (a Kestrel section would add endpoints) and environment
        // variables are the test project's, not Xref's. In a test run Xref's logs would interleave with the test's
        // output: only its warnings and errors, unless the settings say otherwise.
        builder.Configuration.Sources.Clear();
        builder.Configuration.Sources.Add(new MemoryConfigurationSource
        {
            InitialData = [new("Logging:LogLevel:Default", "Warning"), .. settings],
        });
        builder.WebHost.UseUrls(urls);
        builder.Services.AddXref();
        return builder.Build().UseXref();
    }

    /// <summary>The address Kestrel bound, once started (the real port when 0 was asked).</summary>
    public static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Xref is not listening yet: start it first."));
}
