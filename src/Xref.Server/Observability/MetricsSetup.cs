using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Xref.ExternalReferences;
using Xref.Hosting;

namespace Xref.Observability;

/// <summary>
/// <c>--metrics</c>: Prometheus metrics at <c>/metrics</c> through OpenTelemetry, and the trace id in log lines.
/// Off by default. The providers are always registered (the option is read from configuration only once the
/// service provider exists), but without the option they listen to nothing, so they cost nothing per request.
/// <para>
/// Served: <c>http_server_request_duration_seconds</c> by route and status (ASP.NET Core's meter);
/// <c>xref_rate_limit_rejections_total</c>; Npgsql's pool and
/// command meters on PostgreSQL; and Xref's own (<see cref="XrefMetrics"/>): connection waits, command durations and
/// group-commit sizes on both databases, page-cache lookups and reused pages, and <c>xref_references</c> by status,
/// summed over every account from the count tables when scraped.
/// </para>
/// </summary>
public static class MetricsSetup
{
    public const string Path = "/metrics";

    /// <summary>
    /// ASP.NET Core's request durations, and Npgsql's pool and commands. Not ASP.NET Core's rate-limiting meter: it
    /// records three instruments on every request; Xref counts the rejections alone (<see cref="XrefMetrics.RateLimitRejections"/>).
    /// </summary>
    private static readonly string[] Meters = [XrefMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Npgsql"];

    public static IServiceCollection AddXrefMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("xref"))
            .WithMetrics(metrics => metrics.AddPrometheusExporter())
            // Requests get an Activity, hence a trace id (from a traceparent header, or new) for the log lines; the
            // sampler records none of them: Xref exports no traces.
            .WithTracing(tracing => tracing.SetSampler(new AlwaysOffSampler()));
        services.ConfigureOpenTelemetryMeterProvider((sp, builder) =>
        {
            if (!Enabled(sp)) return;
            builder.AddMeter(Meters);
            sp.GetRequiredService<ReferenceGauge>().Start();
        });
        services.ConfigureOpenTelemetryTracerProvider((sp, builder) =>
        {
            if (Enabled(sp)) builder.AddSource("Microsoft.AspNetCore");
        });
        services.AddSingleton<ReferenceGauge>();
        // Log entries carry their scopes (the request id of RequestPipeline.UseRequestId) and, with --metrics, the trace
        // id; ZLogger's JSON format writes them (Hosting/XrefServer). ASP.NET Core's own request scope is left out: it
        // repeats Kestrel's connection id and its own request id, which is not the X-Request-Id the client sees.
        services.AddOptions<LoggerFactoryOptions>().Configure<IOptions<XrefOptions>>((o, xref) =>
            o.ActivityTrackingOptions = xref.Value.Metrics ? ActivityTrackingOptions.TraceId : ActivityTrackingOptions.None);
        services.AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None));
        return services;
    }

    /// <summary>Serves <c>/metrics</c> with <c>--metrics</c>; without it the path is unknown (404).</summary>
    public static WebApplication MapXrefMetrics(this WebApplication app)
    {
        if (Enabled(app.Services)) app.MapPrometheusScrapingEndpoint(Path);
        return app;
    }

    private static bool Enabled(IServiceProvider services) => services.GetRequiredService<IOptions<XrefOptions>>().Value.Metrics;

    /// <summary>
    /// <c>xref.references</c> by status: one query on the count tables when scraped (the exporter caches a scrape
    /// for a moment), so its cost does not depend on the number of references.
    /// </summary>
    internal sealed class ReferenceGauge(IMeterFactory meters, ExternalReferenceStore store, ILogger<ReferenceGauge> logger)
    {
        private int started;

        public void Start()
        {
            if (Interlocked.Exchange(ref started, 1) == 1) return;
            meters.Create(XrefMetrics.MeterName).CreateObservableGauge("xref.references", Measure, "{reference}",
                "References by status over every account, from the count tables.");
        }

        private IEnumerable<Measurement<long>> Measure()
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                // The observable callback is synchronous; it runs once per scrape, on the scrape's thread.
                var counts = store.CountsByStatusAsync(timeout.Token).GetAwaiter().GetResult();
                return counts.Select(c => new Measurement<long>(c.Count, new KeyValuePair<string, object?>("status", c.Status)));
            }
            catch (Exception e)
            {
                logger.LogWarning("xref_references not measured: {Reason}", e.Message);
                return [];
            }
        }
    }
}
