using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Xref.Observability;

/// <summary>
/// Xref's own instruments (meter <c>Xref</c>), served at <c>/metrics</c> with <c>--metrics</c> (see
/// <see cref="MetricsSetup"/>). Without it nothing listens: each record is a check of <c>Enabled</c> and returns,
/// and the timings are taken only when someone listens.
/// </summary>
public static class XrefMetrics
{
    public const string MeterName = "Xref";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Time a request waited for a database connection (reads on PostgreSQL: the pool; writes: the group-commit queue).</summary>
    public static readonly Histogram<double> ConnectionWait = Meter.CreateHistogram<double>(
        "xref.db.connection.wait", "s", "Time spent waiting for a database connection (writes: for the group commit to take the write).");

    /// <summary>Time of one round trip of statements (a listing's count and page, an upsert) on the database.</summary>
    public static readonly Histogram<double> CommandDuration = Meter.CreateHistogram<double>(
        "xref.db.command.duration", "s", "Time of one batch of SQL statements (one round trip).");

    /// <summary>Writes committed together by one SQLite group commit.</summary>
    public static readonly Histogram<int> GroupCommitSize = Meter.CreateHistogram<int>(
        "xref.sqlite.group_commit.size", "{write}", "Writes sharing one SQLite commit.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64] });

    /// <summary>Writes committed together by one PostgreSQL group commit (Storage/PostgresGroupCommit).</summary>
    public static readonly Histogram<int> PostgresGroupCommitSize = Meter.CreateHistogram<int>(
        "xref.postgres.group_commit.size", "{write}", "Writes sharing one PostgreSQL commit.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64] });

    /// <summary>Page-boundary cache lookups: hit (seeked), stale (remembered, but a write moved the listing), miss.</summary>
    public static readonly Counter<long> PageCacheLookups = Meter.CreateCounter<long>(
        "xref.page_cache.lookups", "{lookup}", "Page-boundary cache lookups by result: hit, stale or miss.");

    /// <summary>Pages served from remembered rows: the listing's version had not changed since they were read.</summary>
    public static readonly Counter<long> PagesReused = Meter.CreateCounter<long>(
        "xref.page_cache.reused", "{page}", "Pages served from the page cache's rows: no write to the listing since they were read.");

    /// <summary>Requests refused with 429 by the per-token rate limit.</summary>
    public static readonly Counter<long> RateLimitRejections = Meter.CreateCounter<long>(
        "xref.rate_limit.rejections", "{request}", "Requests refused with 429 by the rate limit (per token and node).");

    /// <summary>A timestamp to pass to <see cref="Elapsed"/>, or 0 when <paramref name="instrument"/> has no listener.</summary>
    public static long Start(Instrument instrument) => instrument.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Records the seconds since <paramref name="started"/> (nothing when it is 0: no listener at the start).</summary>
    public static void Elapsed(Histogram<double> histogram, long started, KeyValuePair<string, object?> tag)
    {
        if (started != 0) histogram.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tag);
    }

    public static readonly KeyValuePair<string, object?> Postgres = new("db.system", "postgresql");
    public static readonly KeyValuePair<string, object?> Sqlite = new("db.system", "sqlite");
    private static readonly KeyValuePair<string, object?> Hit = new("result", "hit"), Stale = new("result", "stale"), Miss = new("result", "miss");

    public static void PageCacheHit() => PageCacheLookups.Add(1, Hit);
    public static void PageCacheStale() => PageCacheLookups.Add(1, Stale);
    public static void PageCacheMiss() => PageCacheLookups.Add(1, Miss);
    public static void PageReused() => PagesReused.Add(1);
}
