using Xref.Cli;
using Xref.Hosting;
using Xref.Seeding;

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

try
{
    // Building the pipeline opens the database, so a --database that does not parse fails here, in one line.
    await builder.Build().UseXref().RunAsync();
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
}
