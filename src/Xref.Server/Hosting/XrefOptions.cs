using System.CommandLine;
using Xref.Storage;

namespace Xref.Hosting;

/// <summary>
/// Xref's settings, read from <c>--name value</c> on the command line or <c>XREF_NAME</c> in the environment
/// (the command line wins). <see cref="CommandLine"/> declares the options once, for parsing and for <c>--help</c>.
/// </summary>
public sealed class XrefOptions
{
    /// <summary><c>--database</c>: <c>sqlite:&lt;path&gt;</c>, a postgres:// URL or an Npgsql connection string.</summary>
    public string Database { get; set; } = DatabaseUrl.Default;

    /// <summary><c>--seed</c>: a JSON seed file applied at start-up.</summary>
    public string? Seed { get; set; }

    /// <summary><c>--demo</c>: create the demo account on an empty PostgreSQL database too.</summary>
    public bool Demo { get; set; }

    /// <summary><c>--auto-subjects</c>: create_or_update creates a missing subject in the caller's account.</summary>
    public bool AutoSubjects { get; set; }

    /// <summary><c>--max-body-bytes</c>: larger request bodies get 413 (default 1 MiB).</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary><c>--cors-origins</c>: comma-separated origins allowed by CORS; empty turns CORS off.</summary>
    public string? CorsOrigins { get; set; }

    /// <summary><c>--rate-limit</c>: <c>permits/burst</c> per token per node (default 50/200), or <c>off</c>.</summary>
    public string? RateLimit { get; set; }

    /// <summary><c>--page-cache off</c>: no seek from a remembered page boundary, no poll served from a remembered page (benchmarks the plain path).</summary>
    public bool PageCache { get; set; } = true;

    /// <summary><c>--admin-token</c>: turns on the sandbox control API under <c>/_xref/</c>, called with this bearer token.</summary>
    public string? AdminToken { get; set; }

    /// <summary><c>--sandbox</c>: the control API on (an admin token is generated when none is given), rate limiting off, the demo account.</summary>
    public bool Sandbox { get; set; }

    /// <summary><c>--journal-size</c>: how many API requests the control API's journal keeps (default 1,000).</summary>
    public int JournalSize { get; set; } = 1000;

    /// <summary><c>--journal-bodies</c>: the journal also keeps the first 64 KiB of each request and response body.</summary>
    public bool JournalBodies { get; set; }

    /// <summary><c>--fault-seed</c>: makes fault rules' <c>probability</c> reproducible.</summary>
    public int? FaultSeed { get; set; }

    /// <summary><c>--webhook-retry-ms</c>: the first retry delay of a failed webhook delivery, doubled per attempt (default 2,000).</summary>
    public int WebhookRetryMs { get; set; } = 2000;

    /// <summary><c>--metrics</c>: Prometheus metrics at <c>/metrics</c> and the trace id in log lines (Observability/MetricsSetup).</summary>
    public bool Metrics { get; set; }

    /// <summary>True when <c>--sandbox</c> generated the admin token (start-up prints it).</summary>
    public bool AdminTokenGenerated { get; set; }

    /// <summary>True when the control API is served.</summary>
    public bool ControlPlane => AdminToken is not null;

    /// <summary>The values <c>--log-level</c> accepts.</summary>
    public static readonly string[] LogLevels = ["Trace", "Debug", "Information", "Warning", "Error", "Critical", "None"];

    /// <summary>Reads the settings from configuration: the command line's, XREF_* variables, or a test host's.</summary>
    public static XrefOptions From(IConfiguration config)
    {
        string? Get(string name) => config[name] ?? config[name.Replace('-', '_')];
        bool Flag(string name) => Get(name) is { } v && (v == "" || bool.TryParse(v, out var b) && b || v == "1");
        var sandbox = Flag("sandbox");
        var adminToken = Get("admin-token") is { Length: > 0 } given ? given : null;
        var logLevel = Get("log-level") is { Length: > 0 } level
            ? Enum.TryParse<LogLevel>(level, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
                : throw new FormatException($"--log-level '{level}' is not a log level; use one of {string.Join(", ", LogLevels)}.")
            : LogLevel.Information;
        var logFormat = Get("log-format") is { Length: > 0 } format ? format.ToLowerInvariant() : "text";
        if (logFormat is not ("text" or "json")) throw new FormatException($"--log-format '{logFormat}' is not a log format; use text or json.");
        return new XrefOptions
        {
            Database = Get("database") ?? DatabaseUrl.Default,
            Seed = Get("seed") is { Length: > 0 } seed ? seed : null,
            Demo = Flag("demo") || sandbox,
            AutoSubjects = Flag("auto-subjects"),
            MaxBodyBytes = long.TryParse(Get("max-body-bytes"), out var max) && max > 0 ? max : 1024 * 1024,
            CorsOrigins = Get("cors-origins"),
            // A test suite sends hundreds of requests a second on one token: the sandbox does not limit them.
            RateLimit = Get("rate-limit") ?? (sandbox ? "off" : null),
            PageCache = !string.Equals(Get("page-cache"), "off", StringComparison.OrdinalIgnoreCase),
            Sandbox = sandbox,
            AdminToken = adminToken ?? (sandbox ? Auth.Tokens.Generate() : null),
            AdminTokenGenerated = adminToken is null && sandbox,
            JournalSize = int.TryParse(Get("journal-size"), out var size) && size >= 0 ? size : 1000,
            JournalBodies = Flag("journal-bodies"),
            FaultSeed = int.TryParse(Get("fault-seed"), out var faultSeed) ? faultSeed : null,
            LogLevel = logLevel,
            LogFormat = logFormat,
            WebhookRetryMs = int.TryParse(Get("webhook-retry-ms"), out var retry) && retry > 0 ? retry : 2000,
            Metrics = Flag("metrics"),
        };
    }

    /// <summary><c>--log-level</c>: the least severe log entries written (default Information: one line per request).</summary>
    public LogLevel LogLevel { get; set; } = LogLevel.Information;

    /// <summary><c>--log-format</c>: <c>text</c> (one line per entry) or <c>json</c> (one JSON object per line).</summary>
    public string LogFormat { get; set; } = "text";

    /// <summary>
    /// The server's options as the root command declares them, so <c>xref --help</c> lists them and a mistyped one is an
    /// error. Each given one reaches <see cref="From"/> through configuration under its name without the dashes, as
    /// <c>XREF_NAME</c> does (<c>--database</c>, shared with the operator commands, is declared by XrefCli).
    /// </summary>
    public static Option[] CommandLine() =>
    [
        Value<string>("--seed", "<file>", "A JSON seed file applied at start-up", "XREF_SEED", "none"),
        Switch("--demo", "Create the demo account on an empty PostgreSQL database too (SQLite does when no seed is given)", "XREF_DEMO"),
        Switch("--auto-subjects", "create_or_update creates a subject that does not exist yet in the caller's account", "XREF_AUTO_SUBJECTS"),
        Value<string>("--rate-limit", "<permits/burst|off>", "Requests per token and node: permits per second / burst", "XREF_RATE_LIMIT", "50/200"),
        Value<long>("--max-body-bytes", "<bytes>", "Larger request bodies get 413", "XREF_MAX_BODY_BYTES", "1048576"),
        Value<string>("--cors-origins", "<origins>", "Comma-separated origins allowed by CORS", "XREF_CORS_ORIGINS", "none, CORS off"),
        Value<string>("--page-cache", "<on|off>", "off disables the page cache: boundary seeks and remembered pages (benchmarks of the plain path)", "XREF_PAGE_CACHE", "on"),
        Switch("--sandbox", "Sandbox defaults: the control API on (an admin token is printed), rate limiting off, the demo account", "XREF_SANDBOX"),
        Value<string>("--admin-token", "<token>", "Turns on the control API under /_xref/, called with this bearer token", "XREF_ADMIN_TOKEN", "none"),
        Value<int>("--journal-size", "<count>", "How many API requests the control API's journal keeps", "XREF_JOURNAL_SIZE", "1000"),
        Switch("--journal-bodies", "The journal also keeps the first 64 KiB of each request and response body", "XREF_JOURNAL_BODIES"),
        Value<int>("--fault-seed", "<seed>", "Makes fault rules' probability reproducible", "XREF_FAULT_SEED", "random"),
        Switch("--metrics", "Serve Prometheus metrics at /metrics and put the trace id in log lines", "XREF_METRICS"),
        Value<int>("--webhook-retry-ms", "<ms>", "The first webhook retry's delay; each next one doubles, up to an hour", "XREF_WEBHOOK_RETRY_MS", "2000"),
        LogLevelOption(),
        Value<string>("--log-format", "<text|json>", "One line per entry, or one JSON object per line", "XREF_LOG_FORMAT", "text")
            .AcceptOnlyFromAmong("text", "json"),
        Value<string>("--urls", "<urls>", "Where Kestrel listens (;-separated)", "ASPNETCORE_URLS", "http://localhost:5000"),
        // ASP.NET's own host settings, not listed in the help: a test host (WebApplicationFactory) passes them as arguments.
        Hidden("--environment"), Hidden("--contentRoot"), Hidden("--applicationName"),
    ];

    /// <summary>The options given on the command line, as <c>--name=value</c> arguments for ASP.NET's configuration.</summary>
    public static string[] GivenArguments(ParseResult parse, IEnumerable<Option> options) =>
    [
        .. options.Select(parse.GetResult).OfType<System.CommandLine.Parsing.OptionResult>().Where(r => !r.Implicit)
            .Select(r => $"--{r.Option.Name.TrimStart('-')}={(r.Tokens.Count > 0 ? r.Tokens[^1].Value : r.Option is Option<bool> ? "true" : "")}"),
    ];

    private static Option<T> Value<T>(string name, string label, string meaning, string variable, string fallback) => new(name)
    {
        HelpName = label.Trim('<', '>'),
        Description = $"{meaning} ({variable}; default: {fallback})",
        // An empty text (--seed "" or --seed=) is a value: it overrides XREF_SEED with none, as a test host does.
        Arity = typeof(T) == typeof(string) ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne,
    };

    private static Option<string> LogLevelOption()
    {
        var option = Value<string>("--log-level", "<level>",
            $"The least severe log entries written: {string.Join(", ", LogLevels)}; Information logs one line per request", "XREF_LOG_LEVEL", "Information");
        // Case-insensitive, as the Logging__LogLevel__* settings are (AcceptOnlyFromAmong is not).
        option.Validators.Add(result =>
        {
            if (result.Tokens is [.., var last] && !LogLevels.Contains(last.Value, StringComparer.OrdinalIgnoreCase))
                result.AddError($"'{last.Value}' is not a log level for --log-level; use one of {string.Join(", ", LogLevels)}.");
        });
        return option;
    }

    private static Option<bool> Switch(string name, string meaning, string variable) =>
        new(name) { Description = $"{meaning} ({variable}; default: off)" };

    private static Option<string> Hidden(string name) => new(name) { Hidden = true };
}
