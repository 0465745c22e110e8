using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration.Memory;
using ZLogger;
using ZLogger.Formatters;

namespace Xref.Hosting;

/// <summary>
/// Runs the server: ASP.NET's configuration from the options given (<see cref="XrefOptions.CommandLine"/>), XREF_*
/// variables and ASP.NET's own settings; the console log in the chosen format; and any start-up failure as one line,
/// <c>xref: what is wrong — what to do</c>, exit code 1, its exception logged only at Debug.
/// </summary>
public static class XrefServer
{
    /// <summary>
    /// Defaults, inserted first so appsettings, <c>Logging__LogLevel__*</c> variables and <c>--log-level</c> override them.
    /// The host logs a start-up failure ("Hosting failed to start") with its whole stack trace at Error; Xref prints
    /// the one line itself, so that category shows only Critical (a background service stopping the host).
    /// </summary>
    private static readonly Dictionary<string, string?> DefaultLogLevels = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host"] = "Critical",
    };

    /// <param name="arguments">The options given, as <c>--name=value</c>.</param>
    public static async Task<int> RunAsync(string[] arguments)
    {
        var builder = WebApplication.CreateBuilder(arguments);
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = DefaultLogLevels });
        // XREF_DATABASE, XREF_SEED, ... are the environment form of --database, --seed, ...; the command line still wins.
        builder.Configuration.AddEnvironmentVariables("XREF_").AddCommandLine(arguments);
        WebApplication? app = null;
        try
        {
            ConfigureLogging(builder, XrefOptions.From(builder.Configuration));
            builder.Services.AddXref();
            // Building the pipeline opens the database, so a --database that does not parse fails here.
            app = builder.Build().UseXref();
            await app.StartAsync();
        }
        catch (Exception e) when (e is not HostAbortedException)
        {
            var database = builder.Configuration["database"] ?? Storage.DatabaseUrl.Default;
            if (app is not null)
            {
                app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Xref.Startup").LogDebug(e, "Start-up failed");
                await app.DisposeAsync(); // writes out the console log
            }
            Console.Error.WriteLine($"xref: {StartupFailure.Describe(e, database)}");
            return 1;
        }
        await using (app)
            await app.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>One line per entry, as text with a UTC timestamp or as a JSON object; <c>--log-level</c> sets the default level.</summary>
    /// <remarks>
    /// ZLogger rather than Microsoft's console logger, which writes and flushes each entry on its own from one thread
    /// and makes request threads wait once its queue is full: the request log cost 15–19 µs of CPU a request with it,
    /// 4–8 µs with ZLogger, which formats into a buffer and writes whole batches (the figures are in
    /// <see cref="RequestLogging"/>; a 1,000,000-entry console queue did not clearly help). The text keeps the simple
    /// console's single-line format, <c>2026-01-31T12:00:00.000Z info: Category[event id] message</c>, an exception on
    /// the same line; the JSON keeps its names (Timestamp, now with 7 decimals and +00:00, EventId, LogLevel, Category,
    /// Message, the values under State). A full buffer makes the writer wait (Block) rather than drop an entry or grow
    /// without bound behind a stalled reader of the output.
    /// </remarks>
    private static void ConfigureLogging(WebApplicationBuilder builder, XrefOptions options)
    {
        builder.Logging.ClearProviders();
        if (options.LogFormat == "json")
            builder.Logging.AddZLoggerConsole(o =>
            {
                (o.FullMode, o.IncludeScopes) = (BackgroundBufferFullMode.Block, true);
                o.UseJsonFormatter(f =>
                {
                    (f.UseUtcTimestamp, f.PropertyKeyValuesObjectName) = (true, JsonEncodedText.Encode("State"));
                    f.IncludeProperties = IncludeProperties.Default | IncludeProperties.EventIdValue;
                });
            });
        else
            builder.Logging.AddZLoggerConsole(o =>
            {
                o.FullMode = BackgroundBufferFullMode.Block; // the text line has no place for scopes: none are captured
                o.UsePlainTextFormatter(f =>
                {
                    f.SetPrefixFormatter($"{0:yyyy-MM-ddTHH:mm:ss.fffZ} {1}: {2}[{3}] ",
                        (in MessageTemplate template, in LogInfo info) => template.Format(info.Timestamp.Utc, ShortLevel(info.LogLevel), info.Category, info.EventId.Id));
                    f.SetExceptionFormatter((writer, e) => writer.Write(Encoding.UTF8.GetBytes(" " + e.ToString().ReplaceLineEndings(" "))));
                });
            });
        if ((builder.Configuration["log-level"] ?? builder.Configuration["log_level"]) is null) return;
        var level = options.LogLevel;
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = level.ToString(),
            // ASP.NET's own Information and Debug entries are noise to an operator: they stay at Warning or above.
            ["Logging:LogLevel:Microsoft.AspNetCore"] = (level > LogLevel.Warning ? level : LogLevel.Warning).ToString(),
            ["Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host"] = (level > LogLevel.Critical ? level : LogLevel.Critical).ToString(),
        });
    }

    /// <summary>The simple console's level names.</summary>
    private static string ShortLevel(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
