using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Xref.Accounts;
using Xref.Seeding;
using Xref.Storage;

namespace Xref.Hosting;

/// <summary>
/// Runs before Kestrel accepts a connection: migrations, then the seed file or the demo account.
/// A failure stops start-up with a message naming the problem.
/// </summary>
public sealed class StartupTasks(Database database, Migrator migrator, SeedApplier seeds, DemoAccount demo, StartupSeed startup,
    TimeProvider clock, IOptions<XrefOptions> options, RateLimits.Configured rateLimits, IServer server, AccountStore accounts,
    ILogger<StartupTasks> logger) : IHostedLifecycleService
{
    private bool announceDemo;
    private bool noAccounts;

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
        noAccounts = !await accounts.AnyAccountAsync(ct);
    }

    /// <summary>The demo token and the sandbox's admin token are announced once the server knows its address.</summary>
    public Task StartedAsync(CancellationToken ct)
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5000";
        if (announceDemo) DemoAccount.Announce(startup.DemoToken!, address);
        // A new PostgreSQL database gets no demo account unless asked: without this, the server would start in silence
        // and answer every token with 401.
        if (noAccounts)
            logger.LogWarning("The database has no account yet, so no token can call the API. Start with --demo for a demo account and its token, " +
                "or with --seed FILE, or create one: xref accounts create --name NAME; xref users create --account ID --name NAME; " +
                "xref tokens create --user ID --scope write");
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
