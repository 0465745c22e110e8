using System.Reflection;
using System.Text.Json;
using Xref.Auth;
using Xref.Hosting;
using Xref.Webhooks;
using Xref.Wire;

namespace Xref.Dashboard;

/// <summary>
/// The sync-status dashboard (issue 16): a static page at <c>/ui</c> (HTML, one script, one stylesheet, embedded in the
/// binary) that calls <c>/api/v1</c> with the token the user signs in with, plus one read-only summary endpoint. The
/// page is served under a strict Content-Security-Policy: no inline script, nothing from another origin. Also
/// registers the webhook store and dispatcher, which live beside it in the same issue.
/// </summary>
public static class DashboardEndpoints
{
    public static IServiceCollection AddXrefDashboard(this IServiceCollection services)
    {
        services.AddSingleton<SyncSummaryStore>();
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        return services;
    }

    /// <summary>Serves the page's files and the summary; the summary is token-authenticated and rate limited as the API is.</summary>
    public static void MapDashboard(this WebApplication app)
    {
        app.MapGet("/", () => Asset("index.html")).ExcludeFromDescription();
        app.MapGet("/ui", () => Asset("dashboard.html")).ExcludeFromDescription();
        app.MapGet("/ui/app.js", () => Asset("app.js")).ExcludeFromDescription();
        app.MapGet("/ui/app.css", () => Asset("app.css")).ExcludeFromDescription();
        app.MapGet("/ui/icon.svg", () => Asset("icon.svg")).ExcludeFromDescription();
        app.MapGroup("/ui/api").AddEndpointFilter<TokenFilter>().RequireRateLimiting(RateLimits.PolicyName)
            .MapGet("/summary", Summary).ExcludeFromDescription();
    }

    /// <summary>
    /// <c>GET /ui/api/summary</c>: per subject type and service name, the counts by status and the syncs of the last
    /// 24 hours (failed ones among them), for the caller's account only.
    /// </summary>
    public static async Task<IResult> Summary(Caller caller, SyncSummaryStore summaries, TimeProvider clock, CancellationToken ct)
    {
        var (hour, rows) = await summaries.ReadAsync(caller.AccountId, ct);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteTimestamp("generated_at", WireValues.Now(clock));
            json.WriteTimestamp("window_starts_at", (hour - SyncSummaryStore.WindowHours + 1) * 3600);
            json.WriteStartArray("rows");
            foreach (var row in rows)
            {
                json.WriteStartObject();
                json.WriteString("subject_type", row.SubjectType);
                json.WriteString("service_name", row.ServiceName);
                json.WriteNumber("pending", row.Pending);
                json.WriteNumber("successful", row.Successful);
                json.WriteNumber("failed", row.Failed);
                json.WriteNumber("syncs_24h", row.Syncs);
                json.WriteNumber("failed_syncs_24h", row.FailedSyncs);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Results.Bytes(buffer.ToArray(), "application/json; charset=utf-8");
    }

    private static readonly Dictionary<string, byte[]> Assets = LoadAssets();

    private static Dictionary<string, byte[]> LoadAssets()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var assets = new Dictionary<string, byte[]>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("dashboard/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            assets[name["dashboard/".Length..]] = copy.ToArray();
        }
        return assets;
    }

    private static IResult Asset(string name) => new AssetResult(Assets[name], Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "text/css; charset=utf-8",
    });

    /// <summary>A file of the page, with the headers that keep it to its own origin.</summary>
    private sealed class AssetResult(byte[] body, string contentType) : IResult
    {
        public const string ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
            "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

        public Task ExecuteAsync(HttpContext http)
        {
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-cache";
            http.Response.ContentType = contentType;
            http.Response.ContentLength = body.Length;
            return http.Response.Body.WriteAsync(body).AsTask();
        }
    }
}
