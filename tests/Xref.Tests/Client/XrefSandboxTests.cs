using System.Net;
using Xref.Client;
using Xref.Testing;

namespace Xref.Tests.Client;

/// <summary>XrefSandbox used as a .NET team's integration test would use it: one line to start, the control API in hand.</summary>
public sealed class XrefSandboxTests
{
    [Fact]
    public async Task A_sandbox_starts_on_a_loopback_port_with_a_ready_client_and_resets_to_its_seed()
    {
        await using var kantata = await XrefSandbox.StartAsync();
        Assert.Equal(("http", "127.0.0.1"), (kantata.BaseUrl.Scheme, kantata.BaseUrl.Host));
        Assert.Equal("sandbox-write-token", kantata.WriteToken);
        using (var http = new HttpClient())
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(kantata.BaseUrl, "health"))).StatusCode);

        // The default seed's account has auto-subjects: any Story id works.
        var saved = await kantata.Client.ExternalReferences.CreateOrUpdateAsync(new ExternalReferenceInput
            { SubjectType = SubjectTypes.Story, SubjectId = 4242, ServiceName = "jira", ServiceModel = "issue", ServiceModelRef = "WEB-1" });
        Assert.Equal(1, saved.Id);
        var journal = await kantata.Requests.ListAsync(limit: 1);
        Assert.Equal(("POST", "/api/v1/external_references/create_or_update", 200, (long?)1),
            (journal[0].Method, journal[0].Path, journal[0].Status, journal[0].AccountId));

        var readOnly = kantata.CreateClient("sandbox-read-token");
        Assert.Single((await readOnly.ExternalReferences.ListAsync(new(SubjectTypes.Story))).Records);
        Assert.Equal(HttpStatusCode.Forbidden, (await Assert.ThrowsAsync<KantataApiException>(() => readOnly.ExternalReferences.DeleteAsync(1))).Status);

        await kantata.ResetAsync();
        Assert.Empty(await kantata.Requests.ListAsync());
        Assert.Empty((await kantata.Client.ExternalReferences.ListAsync(new(SubjectTypes.Story))).Records);
        Assert.Equal(1, (await kantata.Client.ExternalReferences.CreateOrUpdateAsync(new ExternalReferenceInput
            { SubjectType = SubjectTypes.Workspace, SubjectId = 100, ServiceName = "jira", ServiceModel = "issue", ServiceModelRef = "WEB-1" })).Id);
    }

    [Fact]
    public async Task Faults_clock_and_transitions_drive_the_sandbox()
    {
        await using var kantata = await XrefSandbox.StartAsync();
        var refs = kantata.Client.ExternalReferences;
        var rule = await kantata.Faults.AddAsync("/api/v1/external_references/create_or_update", status: 500, method: "POST", times: 1);
        Assert.Equal(rule, Assert.Single(await kantata.Faults.ListAsync()));
        var input = new ExternalReferenceInput { SubjectType = SubjectTypes.Workspace, SubjectId = 100, ServiceName = "jira", ServiceModel = "issue", ServiceModelRef = "WEB-1" };
        var fault = await Assert.ThrowsAsync<KantataApiException>(() => refs.CreateOrUpdateAsync(input));
        Assert.Equal(HttpStatusCode.InternalServerError, fault.Status);
        Assert.Empty(await kantata.Faults.ListAsync());

        var frozen = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(new ClockState(frozen, true), await kantata.Clock.FreezeAsync(frozen));
        await kantata.Transitions.AddAsync("jira", SyncStatus.Pending, SyncStatus.Successful, afterSeconds: 60, externalStatus: "Done");
        // A transition starts when a write sets the status.
        var created = await refs.CreateOrUpdateAsync(input with { Status = SyncStatus.Pending });
        Assert.Equal((frozen, SyncStatus.Pending), (created.CreatedAt, created.Status));
        Assert.Equal(frozen.AddSeconds(61), (await kantata.Clock.AdvanceAsync(TimeSpan.FromSeconds(61))).Now);
        var moved = Assert.Single((await refs.ListAsync(new(SubjectTypes.Workspace))).Records);
        Assert.Equal((SyncStatus.Successful, "Done"), (moved.Status, moved.ExternalStatus));
        Assert.False((await kantata.Clock.ReleaseAsync()).Frozen);
        Assert.Single(await kantata.Transitions.ListAsync());
    }

    [Fact]
    public async Task A_seed_of_its_own_with_an_OAuth_application_signs_in_as_Kantata_would()
    {
        const string seed = """
            {"accounts": [{"id": 7, "name": "Initech",
              "users": [{"id": 70, "full_name": "Peter", "tokens": [{"token": "initech-read", "scope": "read"}, {"token": "initech-write", "scope": "write"}]}],
              "subjects": {"Workspace": [{"id": 1, "title": "TPS reports"}]},
              "applications": [{"client_id": "sync-app", "client_secret": "sync-secret", "name": "Sync", "redirect_uris": ["http://localhost:8080/cb"]}]}]}
            """;
        await using var kantata = await XrefSandbox.StartAsync(seed);
        Assert.Equal("initech-write", kantata.WriteToken);
        var redirect = new Uri("http://localhost:8080/cb");
        var oauth = KantataOAuth.ForServer(kantata.BaseUrl, "sync-app", "sync-secret", redirect);
        var authorize = oauth.AuthorizeUrl("42");
        Assert.Equal(new Uri(kantata.BaseUrl, "oauth/authorize?response_type=code&client_id=sync-app&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fcb&state=42"), authorize);
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(authorize)).StatusCode);
        Assert.StartsWith("https://app.mavenlink.com/oauth/authorize?response_type=code&client_id=c&", KantataOAuth.ForKantata("c", "s", redirect).AuthorizeUrl().ToString());

        var code = await kantata.AuthorizeAsync("sync-app", redirect, userId: 70, state: "42");
        var token = await oauth.ExchangeCodeAsync(http, code);
        Assert.Equal("bearer", token.TokenType);
        var workspaces = await kantata.CreateClient(token.AccessToken).ExternalReferences.CreateOrUpdateAsync(new ExternalReferenceInput
            { SubjectType = SubjectTypes.Workspace, SubjectId = 1, ServiceName = "jira", ServiceModel = "issue", ServiceModelRef = "TPS-1" }, ExternalReferenceIncludes.Subject);
        Assert.Equal("TPS reports", Assert.IsType<Workspace>(workspaces.Included.SubjectOf(workspaces.Record)).Title);

        var replay = await Assert.ThrowsAsync<KantataApiException>(() => oauth.ExchangeCodeAsync(http, code));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (replay.Status, Assert.Single(replay.Errors).Type));
    }

    [Fact]
    public async Task The_package_README_test_passes_as_written()
    {
        await using var kantata = await XrefSandbox.StartAsync();
        await kantata.ResetAsync();
        await kantata.Faults.AddAsync("/api/v1/external_references/create_or_update", status: 503, times: 1);
        var saved = await kantata.Client.ExternalReferences.CreateOrUpdateAsync(new ExternalReferenceInput
        {
            SubjectType = SubjectTypes.Workspace, SubjectId = 100, ServiceName = "jira", ServiceModel = "issue",
            ServiceModelRef = "WEB-1", Status = SyncStatus.Successful,
        });
        Assert.Equal(SyncStatus.Successful, saved.Status);
        Assert.Equal([200, 503], (await kantata.Requests.ListAsync()).Select(r => r.Status));
    }

    [Fact]
    public async Task Two_sandboxes_are_apart_and_a_seed_without_a_write_token_is_refused()
    {
        await using var first = await XrefSandbox.StartAsync();
        await using var second = await XrefSandbox.StartAsync();
        Assert.NotEqual(first.BaseUrl, second.BaseUrl);
        await first.Client.ExternalReferences.CreateOrUpdateAsync(new ExternalReferenceInput
            { SubjectType = SubjectTypes.Workspace, SubjectId = 100, ServiceName = "jira", ServiceModel = "issue", ServiceModelRef = "WEB-1" });
        Assert.Empty((await second.Client.ExternalReferences.ListAsync(new(SubjectTypes.Workspace))).Records);
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => XrefSandbox.StartAsync("""{"accounts": [{"id": 1, "name": "A"}]}"""));
        Assert.Contains("write", refused.Message);
    }
}
