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

    public static XrefOptions From(IConfiguration config)
    {
        string? Get(string name) => config[name] ?? config[name.Replace('-', '_')];
        bool Flag(string name) => Get(name) is { } v && (v == "" || bool.TryParse(v, out var b) && b || v == "1");
        return new XrefOptions
        {
            Database = Get("database") ?? DatabaseUrl.Default,
            Seed = Get("seed") is { Length: > 0 } seed ? seed : null,
            Demo = Flag("demo"),
            AutoSubjects = Flag("auto-subjects"),
            MaxBodyBytes = long.TryParse(Get("max-body-bytes"), out var max) && max > 0 ? max : 1024 * 1024,
            CorsOrigins = Get("cors-origins"),
            RateLimit = Get("rate-limit"),
            PageCache = !string.Equals(Get("page-cache"), "off", StringComparison.OrdinalIgnoreCase),
        };
    }

    /// <summary>Boolean switches may be given bare (<c>--demo</c>); the configuration reader needs a value.</summary>
    public static string[] NormalizeArguments(string[] args)
    {
        string[] switches = ["--demo", "--auto-subjects"];
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
