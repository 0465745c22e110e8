using Xref.Cli;
using Xref.Hosting;
using Xref.Seeding;
using Xref.Storage;

var arguments = XrefOptions.NormalizeArguments(args);
if (XrefCli.IsCommand(arguments)) return await XrefCli.RunAsync(arguments);

var builder = WebApplication.CreateBuilder(arguments);
// One log line per request at Information would cost more than serving it; request failures are logged by
// ErrorHandling. Inserted first, so appsettings, Logging__LogLevel__* variables or the command line override it.
builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
{
    InitialData = [new("Logging:LogLevel:Default", "Information"), new("Logging:LogLevel:Microsoft.AspNetCore", "Warning")],
});
// XREF_DATABASE, XREF_SEED, ... are the environment form of --database, --seed, ...; the command line still wins.
builder.Configuration.AddEnvironmentVariables("XREF_").AddCommandLine(arguments);
builder.Services.AddXref();

var app = builder.Build().UseXref();
try
{
    RaiseThreadPoolFloorForPostgres(app.Services.GetRequiredService<Database>());
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is SeedException or FormatException)
{
    Console.Error.WriteLine($"xref: {e.Message}");
    return 1;
}

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program
{
    /// <summary>
    /// Npgsql sends the cancel request of a timed-out command with a blocking connect; when a hung database times
    /// out dozens of requests at once, a 2-core machine's thread pool would grow too slowly and every request,
    /// /ready included, would wait behind them (tests/faults/outage.py --stop-mode freeze). SQLite keeps the
    /// default: its calls are synchronous, and a higher floor only puts more threads on the same cores (its
    /// list p99 rose from 14 to 35 ms in the benchmark).
    /// </summary>
    private static void RaiseThreadPoolFloorForPostgres(Database database)
    {
        if (database.Kind != DatabaseKind.Postgres) return;
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        var floor = int.TryParse(Environment.GetEnvironmentVariable("XREF_MIN_THREADS"), out var configured) ? configured : 64;
        ThreadPool.SetMinThreads(Math.Max(workers, floor), completionPorts);
    }
}
