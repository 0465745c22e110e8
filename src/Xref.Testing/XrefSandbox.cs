using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Xref.Client;
using Xref.Hosting;

namespace Xref.Testing;

/// <summary>
/// Xref started inside the test process, as Testcontainers starts a database but with nothing to install: a free
/// loopback port, a private in-memory database, the control plane on, rate limiting off.
/// <code>await using var kantata = await XrefSandbox.StartAsync();</code>
/// Without a seed it starts with <see cref="DefaultSeed"/>; <see cref="ResetAsync"/> returns it to that state.
/// </summary>
public sealed class XrefSandbox : IAsyncDisposable
{
    /// <summary>
    /// The seed used when none is given: account 1 with auto-subjects (create_or_update creates a missing subject),
    /// user 1 with the tokens <c>sandbox-write-token</c> and <c>sandbox-read-token</c>, workspaces 100 and 101, story
    /// 200, time entry 300, invoice 400.
    /// </summary>
    public const string DefaultSeed = """
        {"accounts": [{"id": 1, "name": "Sandbox Account", "auto_subjects": true,
          "users": [{"id": 1, "full_name": "Sandbox User", "email_address": "sandbox@xref.example",
                     "tokens": [{"token": "sandbox-write-token", "scope": "write"}, {"token": "sandbox-read-token", "scope": "read"}]}],
          "subjects": {"Workspace": [{"id": 100, "title": "Website relaunch", "description": "Sandbox project", "archived": false, "creator_id": 1},
                                     {"id": 101, "title": "ERP migration"}],
                       "Story": [{"id": 200, "title": "Design review"}], "TimeEntry": [{"id": 300}], "Invoice": [{"id": 400, "title": "November invoice"}]}}]}
        """;

    private readonly WebApplication app;
    private readonly string seedPath;
    private readonly HttpClient http;

    private XrefSandbox(WebApplication app, string seedPath, Uri baseUrl, string writeToken, string adminToken)
    {
        this.app = app;
        this.seedPath = seedPath;
        BaseUrl = baseUrl;
        WriteToken = writeToken;
        AdminToken = adminToken;
        http = new HttpClient { BaseAddress = baseUrl };
        var control = new HttpClient { BaseAddress = new Uri(baseUrl, "_xref/") };
        control.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        Control = new ControlApi(control);
        Client = CreateClient(writeToken);
        Faults = new SandboxFaults(Control);
        Clock = new SandboxClock(Control);
        Requests = new SandboxRequests(Control);
        Transitions = new SandboxTransitions(Control);
    }

    /// <summary>Starts Xref with <paramref name="seed"/> (a seed document, as <c>--seed</c> takes; null: <see cref="DefaultSeed"/>).</summary>
    /// <param name="seed">The seed document's JSON; its first write token becomes <see cref="WriteToken"/>.</param>
    /// <param name="settings">More server settings, by option name without <c>--</c> (<c>journal-bodies</c>: <c>true</c>…).</param>
    /// <param name="ct">Cancels the start.</param>
    public static async Task<XrefSandbox> StartAsync(string? seed = null, IReadOnlyDictionary<string, string?>? settings = null, CancellationToken ct = default)
    {
        seed ??= DefaultSeed;
        var writeToken = FirstWriteToken(seed);
        var adminToken = "sandbox-admin-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        // The server reads its seed from a file, and a reset applies that file's seed again.
        var seedPath = Path.Combine(Path.GetTempPath(), $"xref-sandbox-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(seedPath, seed, Encoding.UTF8, ct);
        var values = new Dictionary<string, string?>
        {
            ["database"] = "memory", ["sandbox"] = "true", ["admin-token"] = adminToken, ["seed"] = seedPath, ["rate-limit"] = "off",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        WebApplication? app = null;
        try
        {
            app = XrefHost.Build(values);
            await app.StartAsync(ct);
            return new XrefSandbox(app, seedPath, XrefHost.Address(app), writeToken, adminToken);
        }
        catch
        {
            if (app is not null) await app.DisposeAsync();
            File.Delete(seedPath);
            throw;
        }
    }

    /// <summary>The server's address, such as <c>http://127.0.0.1:41234/</c> (the API is under <c>api/v1/</c>).</summary>
    public Uri BaseUrl { get; }

    /// <summary>The seed's first write token (<c>sandbox-write-token</c> with <see cref="DefaultSeed"/>).</summary>
    public string WriteToken { get; }

    /// <summary>The control API's token (random per sandbox).</summary>
    public string AdminToken { get; }

    /// <summary>A client of this sandbox with <see cref="WriteToken"/>.</summary>
    public KantataClient Client { get; }

    /// <summary>Fault rules: matching API requests wait, or answer an error, writing nothing.</summary>
    public SandboxFaults Faults { get; }

    /// <summary>Xref's clock: freeze, advance, release.</summary>
    public SandboxClock Clock { get; }

    /// <summary>The journal of API requests, newest first.</summary>
    public SandboxRequests Requests { get; }

    /// <summary>Status transitions: a reference entering one status moves to another some seconds later.</summary>
    public SandboxTransitions Transitions { get; }

    internal ControlApi Control { get; }

    /// <summary>A client of this sandbox with another token (a read token, another account's, an OAuth token).</summary>
    public KantataClient CreateClient(string token, KantataClientOptions? options = null) =>
        new(http, (options ?? new KantataClientOptions()) with { BaseUrl = BaseUrl, Token = token });

    /// <summary>
    /// The database as right after start-up (or as <paramref name="seed"/> makes it), ids starting again; faults,
    /// transitions and the journal cleared, the clock real. Call it before each test.
    /// </summary>
    public Task ResetAsync(string? seed = null, CancellationToken ct = default) =>
        Control.SendAsync(HttpMethod.Post, "reset", seed is null ? null : $$"""{"seed": {{seed}}}""", ct);

    /// <summary>Applies a seed document on top of what exists (accounts, users, tokens, subjects, applications).</summary>
    public Task SeedAsync(string seed, CancellationToken ct = default) => Control.SendAsync(HttpMethod.Post, "seed", seed, ct);

    /// <summary>
    /// An OAuth authorization code for <paramref name="clientId"/> as <paramref name="userId"/>, without the consent page;
    /// exchange it with <see cref="KantataOAuth.ExchangeCodeAsync"/>.
    /// </summary>
    public async Task<string> AuthorizeAsync(string clientId, Uri redirectUri, long userId, string? state = null, CancellationToken ct = default)
    {
        var body = new JsonObject { ["client_id"] = clientId, ["redirect_uri"] = redirectUri.ToString(), ["user_id"] = userId, ["state"] = state };
        using var answer = await Control.SendAsync(HttpMethod.Post, "oauth/authorize", body.ToJsonString(), ct);
        return answer!.RootElement.GetProperty("code").GetString()!;
    }

    /// <summary>Stops the server; the in-memory database goes with it.</summary>
    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        http.Dispose();
        Control.Dispose();
        File.Delete(seedPath);
    }

    private static string FirstWriteToken(string seed)
    {
        JsonNode? document;
        try
        {
            document = JsonNode.Parse(seed);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The seed is not JSON: {e.Message}", nameof(seed), e);
        }
        var token = document?["accounts"]?.AsArray().SelectMany(a => a?["users"]?.AsArray() ?? new JsonArray())
            .SelectMany(u => u?["tokens"]?.AsArray() ?? new JsonArray())
            .FirstOrDefault(t => t?["scope"]?.GetValue<string>() == "write")?["token"]?.GetValue<string>();
        return token ?? throw new ArgumentException("The seed has no token with \"scope\": \"write\"; the sandbox's client needs one.", nameof(seed));
    }
}
