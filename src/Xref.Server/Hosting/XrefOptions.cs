using Xref.Storage;

namespace Xref.Hosting;

/// <summary>
/// Xref's settings, read from <c>--name value</c> on the command line or <c>XREF_NAME</c> in the environment
/// (the command line wins).
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

    /// <summary><c>--page-cache off</c>: never seek from a remembered page boundary (benchmarks the OFFSET path).</summary>
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

    /// <summary><c>--metrics</c>: Prometheus metrics at <c>/metrics</c> and the trace id in log lines (Observability/MetricsSetup).</summary>
    public bool Metrics { get; set; }

    /// <summary>True when <c>--sandbox</c> generated the admin token (start-up prints it).</summary>
    public bool AdminTokenGenerated { get; set; }

    /// <summary>True when the control API is served.</summary>
    public bool ControlPlane => AdminToken is not null;

    public static XrefOptions From(IConfiguration config)
    {
        string? Get(string name) => config[name] ?? config[name.Replace('-', '_')];
        bool Flag(string name) => Get(name) is { } v && (v == "" || bool.TryParse(v, out var b) && b || v == "1");
        var sandbox = Flag("sandbox");
        var adminToken = Get("admin-token") is { Length: > 0 } given ? given : null;
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
            Metrics = Flag("metrics"),
        };
    }

    /// <summary>Boolean switches may be given bare (<c>--demo</c>); the configuration reader needs a value.</summary>
    public static string[] NormalizeArguments(string[] args)
    {
        string[] switches = ["--demo", "--auto-subjects", "--sandbox", "--journal-bodies", "--metrics"];
        var result = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var next = i + 1 < args.Length ? args[i + 1] : null;
            if (switches.Contains(args[i]) && next is not ("true" or "false"))
                result.Add(args[i] + "=true");
            else result.Add(args[i]);
        }
        return [.. result];
    }
}
