using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Xref.Client;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.Client;

/// <summary>Retries of 429 and 503 (fault rules of the control API), their bound, and IHttpClientFactory.</summary>
public sealed class ClientRetryTests
{
    private static async Task FaultAsync(XrefApp app, string method, string path, int status, int times = 1) =>
        await JsonAssert.StatusAsync(await app.Control().PostAsync("/_xref/faults", JsonContent(new JsonObject
            { ["method"] = method, ["path"] = path, ["status"] = status, ["times"] = times })), HttpStatusCode.Created);

    private static StringContent JsonContent(JsonNode body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");

    [Theory, AllDatabases]
    public async Task A_503_is_retried_after_its_Retry_After_and_a_create_is_not(string db)
    {
        await using var app = await XrefApp.StartAsync(db, settings: XrefApp.SandboxSettings());
        var clients = Clients.For(app);
        await clients.Client.ExternalReferences.CreateOrUpdateAsync(Clients.Reference(100));
        await FaultAsync(app, "GET", "/api/v1/external_references", 503);
        var watch = Stopwatch.StartNew();
        var listed = await clients.Client.ExternalReferences.ListAsync(new ExternalReferenceQuery("Workspace"));
        Assert.Single(listed.Records);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10)); // Retry-After: 1
        var journal = await JsonAssert.StatusAsync(await app.Control().GetAsync("/_xref/requests?limit=2"), HttpStatusCode.OK);
        Assert.Equal([200, 503], journal["requests"]!.AsArray().Select(r => (int)r!["status"]!));

        // A create answered 503 may have committed: it is not retried, and nothing was written twice.
        await FaultAsync(app, "POST", "/api/v1/status_reports", 503);
        var input = new StatusReportInput { WorkspaceId = 100, Color = StatusColor.Green, Description = "ok" };
        var refused = await Assert.ThrowsAsync<KantataApiException>(() => clients.Client.StatusReports.CreateAsync(input));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(1)), (refused.Status, refused.RetryAfter));
        Assert.Contains("fault rule", Assert.Single(refused.Errors).Message);
        await clients.Client.StatusReports.CreateAsync(input);
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM status_reports"));

        // ...but a 429 of a create is: the server did nothing.
        await FaultAsync(app, "POST", "/api/v1/status_reports", 429);
        var before = clients.Requests;
        await clients.Client.StatusReports.CreateAsync(input);
        Assert.Equal((2, 2L), (clients.Requests - before, await Sql.CountAsync(app, "SELECT COUNT(*) FROM status_reports")));
    }

    [Theory, AllDatabases]
    public async Task Retries_stop_at_their_bound(string db)
    {
        await using var app = await XrefApp.StartAsync(db, settings: XrefApp.SandboxSettings());
        var impatient = Clients.For(app, options: new KantataClientOptions { MaxRetryDelay = TimeSpan.FromMilliseconds(500) });
        await FaultAsync(app, "*", "/api/v1/*", 429, times: 5);
        var watch = Stopwatch.StartNew();
        var tooMany = await Assert.ThrowsAsync<KantataApiException>(() => impatient.Client.ExternalReferences.ListAsync(new("Workspace")));
        Assert.Equal((HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(1), 1), (tooMany.Status, tooMany.RetryAfter, impatient.Requests));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), "a Retry-After beyond MaxRetryDelay is not waited for");

        var twice = Clients.For(app, options: new KantataClientOptions { MaxRetries = 1 });
        var stillFailing = await Assert.ThrowsAsync<KantataApiException>(() => twice.Client.ExternalReferences.DeleteAsync(1));
        Assert.Equal((HttpStatusCode.TooManyRequests, 2), (stillFailing.Status, twice.Requests));
    }

    [Fact]
    public async Task Cancelling_ends_a_retry_wait_at_once()
    {
        await using var app = await XrefApp.StartAsync("sqlite", settings: XrefApp.SandboxSettings());
        var clients = Clients.For(app, options: new KantataClientOptions { MaxRetryDelay = TimeSpan.FromMinutes(1) });
        await FaultAsync(app, "*", "/api/v1/*", 503, times: 10);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in clients.Client.ExternalReferences.ListAllAsync(new("Workspace"), cancel.Token)) { }
        });
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(0.9), $"cancelled after {watch.Elapsed}, inside the first 1 s Retry-After");
        Assert.Equal(1, clients.Requests);
    }

    [Theory, AllDatabases]
    public async Task The_client_works_as_a_typed_client_of_IHttpClientFactory(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var services = new ServiceCollection();
        services.AddHttpClient<KantataClient>(http =>
        {
            http.BaseAddress = new Uri("http://localhost/api/v1/");
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", XrefApp.AcmeWrite);
        }).ConfigurePrimaryHttpMessageHandler(() => app.Server.CreateHandler());
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<KantataClient>();
        Assert.Equal("http://localhost/api/v1/", client.ApiRoot.ToString());
        var saved = await client.ExternalReferences.CreateOrUpdateAsync(Clients.Reference(100));
        Assert.Equal(saved.Id, Assert.Single((await client.ExternalReferences.ListAsync(new("Workspace"))).Records).Id);
    }
}
