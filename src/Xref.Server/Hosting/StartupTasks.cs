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
public sealed class StartupTasks(Database database, Migrator migrator, SeedApplier seeds, DemoAccount demo,
    IOptions<XrefOptions> options, RateLimits.Configured rateLimits, IServer server, ILogger<StartupTasks> logger) : IHostedLifecycleService
{
    private string? demoToken;

    public async Task StartingAsync(CancellationToken ct)
    {
        logger.LogInformation("Using database {Database}; rate limit {RateLimit}", database.Url.Display,
            rateLimits.Setting is { } limit ? $"{limit.PermitsPerSecond}/s, burst {limit.Burst}, per token" : "off");
        await migrator.MigrateAsync(ct);
        if (options.Value.Seed is { } seed)
            await seeds.ApplyFileAsync(seed, ct);
        else if (database.IsEmbedded || options.Value.Demo)
            demoToken = await demo.CreateIfEmptyAsync(ct);
    }

    /// <summary>The demo token is announced once the server knows its address.</summary>
    public Task StartedAsync(CancellationToken ct)
    {
        if (demoToken is not null)
        {
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5000";
            DemoAccount.Announce(demoToken, address);
        }
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken ct) => Task.CompletedTask;
}
