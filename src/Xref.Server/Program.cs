using Xref.Cli;
using Xref.Hosting;
using Xref.Seeding;

var arguments = XrefOptions.NormalizeArguments(args);
if (XrefCli.IsCommand(arguments)) return await XrefCli.RunAsync(arguments);

// Npgsql sends a cancel request for a timed-out command with a blocking connect; when a hung database times out
// dozens of requests at once, a 2-core machine's thread pool would otherwise grow too slowly and every request,
// /ready included, would wait behind them (measured with tests/faults/outage.py --stop-mode freeze).
ThreadPool.GetMinThreads(out var workers, out var completionPorts);
var minThreads = int.TryParse(Environment.GetEnvironmentVariable("XREF_MIN_THREADS"), out var configured) ? configured : 64;
ThreadPool.SetMinThreads(Math.Max(workers, minThreads), completionPorts);

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
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is SeedException or FormatException)
{
    Console.Error.WriteLine($"xref: {e.Message}");
    return 1;
}

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
