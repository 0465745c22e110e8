using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Xref.Storage;

namespace Xref.Tests.Infrastructure;

/// <summary>
/// The real Xref server in process (WebApplicationFactory) on its own fresh database, with the standard test
/// seed applied and a manual clock. Dispose it to drop the database.
/// </summary>
public sealed class XrefApp : WebApplicationFactory<Program>
{
    public const string AcmeWrite = "acme-write-token";
    public const string AcmeRead = "acme-read-token";
    public const string OtherWrite = "other-write-token";

    /// <summary>Account 1 (Acme) and account 2 (Globex), with subjects of several types each.</summary>
    public const string StandardSeed = """
        {"accounts": [
          {"id": 1, "name": "Acme Consulting",
           "users": [{"id": 10, "full_name": "Ada Admin", "email_address": "ada@acme.example", "headline": "Ops", "photo_path": null,
                      "tokens": [{"token": "acme-write-token", "scope": "write"}, {"token": "acme-read-token", "scope": "read"}]},
                     {"id": 11, "full_name": "Bob Builder", "email_address": "bob@acme.example",
                      "tokens": []}],
           "subjects": {"Workspace": [{"id": 100, "title": "Website relaunch", "description": "New site", "creator_id": 10},
                                      {"id": 101, "title": "ERP migration"}],
                        "Story": [{"id": 200, "title": "Design review"}, {"id": 201, "title": "Build"}],
                        "TimeEntry": [{"id": 300}],
                        "Invoice": [{"id": 400, "name": "November", "amount_in_cents": 120000}]}},
          {"id": 2, "name": "Globex",
           "users": [{"id": 20, "full_name": "Gil Globex", "email_address": "gil@globex.example",
                      "tokens": [{"token": "other-write-token", "scope": "write"}]}],
           "subjects": {"Workspace": [{"id": 900, "title": "Globex secret"}], "Story": [{"id": 901, "title": "Other story"}]}}
        ]}
        """;

    /// <summary>The admin token of the sandbox control API, for apps started with <see cref="SandboxSettings"/>.</summary>
    public const string AdminToken = "test-admin-token";

    /// <summary>The control API on, as <c>--admin-token</c> turns it on.</summary>
    public static Dictionary<string, string?> SandboxSettings() => new() { ["admin-token"] = AdminToken };

    private readonly TestDatabase database;
    private readonly string? seedPath;
    private readonly Dictionary<string, string?> settings;
    private readonly bool manualClock;

    public ManualClock Clock { get; } = new();

    private XrefApp(TestDatabase database, string? seedPath, Dictionary<string, string?> settings, bool manualClock)
    {
        this.database = database;
        this.seedPath = seedPath;
        this.settings = settings;
        this.manualClock = manualClock;
    }

    public TestDatabase TestDatabase => database;

    /// <summary>Starts Xref on a fresh database of <paramref name="kind"/> ("sqlite" or "postgres").</summary>
    /// <param name="kind">"sqlite" or "postgres".</param>
    /// <param name="seed">The seed file's text (null: none).</param>
    /// <param name="settings">Command-line settings.</param>
    /// <param name="manualClock">False to keep Xref's own clock (the control API's), instead of <see cref="Clock"/>.</param>
    public static async Task<XrefApp> StartAsync(string kind, string? seed = StandardSeed, Dictionary<string, string?>? settings = null, bool manualClock = true)
    {
        var database = await TestDatabase.CreateAsync(kind);
        string? seedPath = null;
        if (seed is not null)
        {
            seedPath = Path.Combine(Path.GetTempPath(), $"xref-seed-{Guid.NewGuid():N}.json");
            await File.WriteAllTextAsync(seedPath, seed);
        }
        // Tests send hundreds of requests a second through one token; the rate limit has tests of its own.
        settings ??= [];
        settings.TryAdd("rate-limit", "off");
        var app = new XrefApp(database, seedPath, settings, manualClock);
        _ = app.Server; // start now, so start-up failures surface here
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("database", database.Url);
        builder.UseSetting("seed", seedPath ?? "");
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        if (manualClock) builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock)));
    }

    /// <summary>
    /// A client that sends <paramref name="token"/> as its bearer token (none when null). Every /api/v1 answer it
    /// receives is checked against Xref's OpenAPI document (<see cref="ResponseValidation"/>).
    /// </summary>
    public HttpClient Client(string? token = AcmeWrite)
    {
        var client = CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(), new ResponseValidation(ContractAsync));
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Xref's served OpenAPI document, read once per test run (it does not depend on the database or the seed).</summary>
    public Task<ApiContract> ContractAsync()
    {
        lock (ContractLock)
            return contract ??= Task.Run(async () =>
            {
                using var http = new HttpClient(Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
                return new ApiContract(await http.GetStringAsync("/openapi/v1.json"));
            });
    }

    private static readonly Lock ContractLock = new();
    private static Task<ApiContract>? contract;

    /// <summary>A second server on the same database, started now with <paramref name="seedPath"/> ("" for none).</summary>
    public WebApplicationFactory<Program> Restart(string seedPath)
    {
        var second = WithWebHostBuilder(b => b.UseSetting("seed", seedPath));
        _ = second.Server;
        return second;
    }

    /// <summary>Writes a seed file in the temporary folder and returns its path (the caller deletes it).</summary>
    public static async Task<string> WriteSeedAsync(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"xref-test-seed-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, text);
        return path;
    }

    /// <summary>A client of the control API, with the admin token.</summary>
    public HttpClient Control() => Client(AdminToken);

    /// <summary>The server's own database handle, for asserting what was stored.</summary>
    public Database Database => Services.GetRequiredService<Database>();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await database.DisposeAsync();
        if (seedPath is not null) File.Delete(seedPath);
    }
}
