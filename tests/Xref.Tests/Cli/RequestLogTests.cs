using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xref.Tests.Infrastructure;
using Xref.Tests.OAuth;

namespace Xref.Tests.Cli;

/// <summary>The request log of the real server: one entry per request, its fields, its formats, and never a secret.</summary>
public sealed class RequestLogTests
{
    private const string Admin = "request-log-admin-token";

    private static async Task<(ServerProcess Server, string Seed)> StartAsync(params string[] args)
    {
        var seed = await XrefApp.WriteSeedAsync(OAuthKit.Seed());
        return (await ServerProcess.StartAsync(["--database", "memory", "--seed", seed, "--rate-limit", "off", .. args]), seed);
    }

    private static async Task<(HttpResponseMessage Response, string RequestId)> SendAsync(ServerProcess server, HttpRequestMessage request)
    {
        var response = await server.Http.SendAsync(request);
        return (response, response.Headers.GetValues("X-Request-Id").Single());
    }

    private static HttpRequestMessage Get(string path, string? token = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    [Fact]
    public async Task Json_entries_carry_method_path_status_duration_request_id_and_account_and_never_a_token()
    {
        var (server, seed) = await StartAsync("--log-format", "json", "--admin-token", Admin);
        await using var _ = server;
        try
        {
            var sent = new List<(string Method, string Path, int Status, string Id, long? Account)>();
            async Task<HttpResponseMessage> Send(HttpRequestMessage request, string path, long? account)
            {
                var (response, id) = await SendAsync(server, request);
                sent.Add((request.Method.Method, path, (int)response.StatusCode, id, account));
                return response;
            }

            await Send(Get("/health"), "/health", null);
            await Send(Get("/api/v1/external_references.json?subject_type=Workspace", XrefApp.AcmeWrite), "/api/v1/external_references.json", 1);
            const string bogus = "xref_a-bogus-token-that-must-not-be-logged";
            await Send(Get("/api/v1/external_references?subject_type=Workspace", bogus), "/api/v1/external_references", null);

            // An OAuth code and the client's secret travel in the query string, as Kantata's guide sends them.
            var authorize = new HttpRequestMessage(HttpMethod.Post, "/_xref/oauth/authorize")
            {
                Content = new StringContent($$"""{"client_id": "{{OAuthKit.ClientId}}", "redirect_uri": "{{OAuthKit.Callback}}", "user_id": 10, "state": "s"}""",
                    Encoding.UTF8, "application/json"),
            };
            authorize.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Admin);
            var code = JsonNode.Parse(await (await Send(authorize, "/_xref/oauth/authorize", null)).Content.ReadAsStringAsync())!["code"]!.GetValue<string>();
            var exchange = await Send(new HttpRequestMessage(HttpMethod.Post, "/oauth/token?grant_type=authorization_code&code=" + code +
                $"&client_id={OAuthKit.ClientId}&client_secret={OAuthKit.Secret}&redirect_uri={Uri.EscapeDataString(OAuthKit.Callback)}"), "/oauth/token", null);
            Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);
            var accessToken = JsonNode.Parse(await exchange.Content.ReadAsStringAsync())!["access_token"]!.GetValue<string>();
            // PATCH is logged as sent (Rails routing makes it a PUT further in).
            var patch = new HttpRequestMessage(HttpMethod.Patch, "/api/v1/status_reports/999") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            patch.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            await Send(patch, "/api/v1/status_reports/999", 1);

            await server.WaitForLineAsync(l => l.Contains(sent[^1].Id, StringComparison.Ordinal));
            var entries = server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!)
                .Where(e => e["Category"]!.GetValue<string>() == "Xref.Requests").ToList();
            // Before these, the /health polls of ServerProcess.StartAsync, one entry each.
            Assert.All(entries.SkipLast(sent.Count), e => Assert.Equal("/health", e["State"]!["Path"]!.GetValue<string>()));
            entries = entries.TakeLast(sent.Count).ToList();
            foreach (var ((method, path, status, id, account), entry) in sent.Zip(entries))
            {
                var state = entry["State"]!;
                Assert.Equal("Information", entry["LogLevel"]!.GetValue<string>());
                Assert.Equal((method, path, status, id), (state["Method"]!.GetValue<string>(), state["Path"]!.GetValue<string>(),
                    state["StatusCode"]!.GetValue<int>(), state["RequestId"]!.GetValue<string>()));
                Assert.Equal(account, state["AccountId"]?.GetValue<long>());
                Assert.InRange(state["DurationMs"]!.GetValue<double>(), 0, 30_000);
                var accountPart = account is { } a ? $" account {a}" : "";
                Assert.Matches($@"^{method} {Regex.Escape(path)} {status} [0-9.]+ ms request {id}{accountPart}$", entry["Message"]!.GetValue<string>());
            }
            Assert.Equal([200, 200, 401, 200, 200, 400], sent.Select(s => s.Status));
            foreach (var secret in new[] { XrefApp.AcmeWrite, bogus, Admin, code, OAuthKit.Secret, accessToken })
                Assert.DoesNotContain(secret, server.Output);
        }
        finally
        {
            File.Delete(seed);
        }
    }

    [Fact]
    public async Task Text_entries_are_one_line_each_and_log_level_warning_turns_them_off()
    {
        var (server, seed) = await StartAsync();
        try
        {
            await using (server)
            {
                var (_, health) = await SendAsync(server, Get("/health"));
                var (_, list) = await SendAsync(server, Get("/api/v1/external_references?subject_type=Workspace", XrefApp.AcmeRead));
                const string time = @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info: Xref\.Requests";
                Assert.Matches($@"{time}\[2\] GET /health 200 [0-9.]+ ms request {health}$", await server.WaitForLineAsync(l => l.Contains(health)));
                Assert.Matches($@"{time}\[1\] GET /api/v1/external_references 200 [0-9.]+ ms request {list} account 1$",
                    await server.WaitForLineAsync(l => l.Contains(list)));
                Assert.DoesNotContain(XrefApp.AcmeRead, server.Output);
            }
            var (quiet, quietSeed) = await StartAsync("--log-level", "Warning");
            File.Delete(quietSeed); // read at start-up
            await using (quiet)
            {
                await SendAsync(quiet, Get("/api/v1/external_references?subject_type=Workspace", XrefApp.AcmeRead));
                await Task.Delay(500);
                Assert.DoesNotContain("Xref.Requests", quiet.Output);
            }
        }
        finally
        {
            File.Delete(seed);
        }
    }
}
