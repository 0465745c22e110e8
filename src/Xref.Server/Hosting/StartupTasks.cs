using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Xref.Seeding;
using Xref.Storage;

namespace Xref.Hosting;

/// <summary>
/// Runs before Kestrel accepts a connection: migrations, then the seed file or the demo account.
/// A failure stops start-up with a message naming the problem.
/// </summary>
public sealed class StartupTasks(Database database, Migrator migrator, SeedApplier seeds, DemoAccount demo, StartupSeed startup,
    TimeProvider clock, IOptions<XrefOptions> options, RateLimits.Configured rateLimits, IServer server, ILogger<StartupTasks> logger)
    : IHostedLifecycleService
{
    private bool announceDemo;

    public async Task StartingAsync(CancellationToken ct)
    {
        logger.LogInformation("Using database {Database}; rate limit {RateLimit}", database.Url.Display,
            rateLimits.Setting is { } limit ? $"{limit.PermitsPerSecond}/s, burst {limit.Burst}, per token" : "off");
        await migrator.MigrateAsync(ct);
        startup.AppliedAt = clock.GetUtcNow().ToUnixTimeSeconds();
        if (options.Value.Seed is { } file)
            (startup.Seed, startup.FileHash) = await seeds.ApplyFileAsync(file, ct);
        else if (database.IsEmbedded || options.Value.Demo)
        {
            (startup.Seed, startup.DemoToken) = DemoAccount.Build();
            announceDemo = await demo.CreateIfEmptyAsync(startup.Seed, ct);
        }
    }

    /// <summary>The demo token and the sandbox's admin token are announced once the server knows its address.</summary>
    public Task StartedAsync(CancellationToken ct)
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5000";
        if (announceDemo) DemoAccount.Announce(startup.DemoToken!, address);
        if (options.Value.AdminTokenGenerated)
        {
            // The admin token is printed once, to standard output only (never logged), as the demo token is.
            Console.Out.WriteLine($"Xref sandbox: control API at {address.TrimEnd('/')}/_xref/ with Authorization: Bearer {options.Value.AdminToken}");
            Console.Out.Flush();
        }
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken ct) => Task.CompletedTask;
}
