using System.Collections.Concurrent;
using Xref.Storage;

namespace Xref.Hosting;

/// <summary>
/// Raises the thread-pool floor while requests stall, and only then.
/// <para>
/// On PostgreSQL, Npgsql sends the cancel request of a timed-out command with a blocking connect. When a hung database times out
/// a pool's worth of requests at once, a 2-core machine's thread pool adds threads too slowly and every request,
/// /ready included, waits behind the cancels: with .NET's default floor, answers took 6 s during
/// tests/faults/outage.py --stop-mode freeze (the bound is 5 s). A permanent floor of 64 threads (and as low as 18)
/// fixed that but cost 40-45% of the list throughput and doubled to tripled its p99 in normal operation (the pool
/// wakes a thread per queued item while it is under its floor, on cores PostgreSQL needs; perf showed the
/// workers at 56% of all CPU, most of it spinning): 1,300-2,100 narrow
/// lists/s with p99 73-96 ms, against 2,000-3,900/s with p99 26-39 ms without it.
/// </para>
/// <para>
/// So the floor (XREF_MIN_THREADS, default 64) is raised as soon as a request has been running for more than a
/// second, which happens when the database stalls and well before a command times out (2 s), and the default is
/// restored after 30 s without a stalled request.
/// </para>
/// </summary>
public sealed class StallFloor : IHostedService, IDisposable
{
    private const long StallMs = 1000, RestoreAfterMs = 30_000, CheckEveryMs = 200;

    private readonly ConcurrentDictionary<long, long> running = new();
    private readonly int floor, defaultWorkers;
    private readonly Action<int> setMinWorkers;
    private readonly ILogger? logger;
    private long nextId;
    private long lastStall;
    private bool raised;
    private Timer? timer;

    public StallFloor(ILogger<StallFloor> logger) : this(
        CurrentMinWorkers(),
        int.TryParse(Environment.GetEnvironmentVariable("XREF_MIN_THREADS"), out var configured) ? configured : 64,
        SetMinWorkers) =>
        this.logger = logger;

    /// <param name="defaultWorkers">The floor to restore.</param>
    /// <param name="floor">The floor while requests stall.</param>
    /// <param name="setMinWorkers">Sets the thread pool's minimum of worker threads.</param>
    internal StallFloor(int defaultWorkers, int floor, Action<int> setMinWorkers)
    {
        this.defaultWorkers = defaultWorkers;
        this.floor = Math.Max(defaultWorkers, floor);
        this.setMinWorkers = setMinWorkers;
    }

    private static int CurrentMinWorkers()
    {
        ThreadPool.GetMinThreads(out var workers, out _);
        return workers;
    }

    private static void SetMinWorkers(int workers)
    {
        ThreadPool.GetMinThreads(out _, out var completionPorts);
        ThreadPool.SetMinThreads(workers, completionPorts);
    }

    /// <summary>True while the raised floor is in force.</summary>
    public bool Raised => Volatile.Read(ref raised);

    /// <summary>Times every request, when the database can stall the thread pool (<see cref="Database.CanStallThreadPool"/>).</summary>
    public static void Use(WebApplication app)
    {
        if (!app.Services.GetRequiredService<Database>().CanStallThreadPool) return;
        var guard = app.Services.GetRequiredService<StallFloor>();
        app.Use(async (context, next) =>
        {
            var id = guard.Started(Environment.TickCount64);
            try { await next(context); }
            finally { guard.Finished(id); }
        });
    }

    public Task StartAsync(CancellationToken ct)
    {
        timer = new Timer(_ => Check(Environment.TickCount64), null, CheckEveryMs, CheckEveryMs);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct)
    {
        timer?.Change(Timeout.Infinite, Timeout.Infinite);
        return Task.CompletedTask;
    }

    /// <summary>Records a request that started at <paramref name="now"/> (ms); returns its id for <see cref="Finished"/>.</summary>
    public long Started(long now)
    {
        var id = Interlocked.Increment(ref nextId);
        running[id] = now;
        return id;
    }

    public void Finished(long id) => running.TryRemove(id, out _);

    /// <summary>Raises the floor if a request has run longer than a second at <paramref name="now"/> (ms); restores it after 30 s without one.</summary>
    public void Check(long now)
    {
        var stalled = false;
        foreach (var started in running.Values) stalled |= now - started > StallMs;
        if (stalled)
        {
            lastStall = now;
            if (!raised)
            {
                setMinWorkers(floor);
                logger?.LogWarning("A request has been running for over {Seconds} s (is the database stalling?): thread-pool floor raised to {Floor}", StallMs / 1000, floor);
            }
            Volatile.Write(ref raised, true);
        }
        else if (raised && now - lastStall > RestoreAfterMs)
        {
            setMinWorkers(defaultWorkers);
            Volatile.Write(ref raised, false);
            logger?.LogInformation("No stalled request for {Seconds} s: thread-pool floor back to {Floor}", RestoreAfterMs / 1000, defaultWorkers);
        }
    }

    public void Dispose() => timer?.Dispose();
}
