using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Xref.Tests.Dashboard;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.Webhooks;

/// <summary>
/// Webhooks against a receiver on loopback and a live Xref: one event per change under 32 concurrent writers, each
/// signed; none lost when Xref is killed and restarted while the receiver is down; none fired by <c>xref import</c>.
/// </summary>
public sealed class WebhookDeliveryTests
{
    private const string Token = "acme-hook-token";

    private static string Seed(int workspaces) => new JsonObject
    {
        ["accounts"] = new JsonArray(new JsonObject
        {
            ["id"] = 1, ["name"] = "Acme",
            ["users"] = new JsonArray(new JsonObject
            {
                ["id"] = 10, ["full_name"] = "Ada", ["email_address"] = "ada@acme.example",
                ["tokens"] = new JsonArray(new JsonObject { ["token"] = Token, ["scope"] = "write" }),
            }),
            ["subjects"] = new JsonObject
            {
                ["Workspace"] = new JsonArray([.. Enumerable.Range(1, workspaces).Select(i => (JsonNode)new JsonObject { ["id"] = i })]),
            },
        }),
    }.ToJsonString();

    /// <summary>Subscribes through the CLI, as an operator does; returns the secret it printed.</summary>
    private static async Task<string> SubscribeAsync(string databaseUrl, string url)
    {
        var added = await XrefProcess.RunAsync("webhooks", "add", "--database", databaseUrl, "--account", "1", "--url", url,
            "--events", "reference.failed,reference.recovered");
        Assert.True(added.ExitCode == 0, added.Error);
        Assert.Equal("id: 1", added.Out.Split('\n')[0]);
        return added.Out.Split('\n')[1]["secret: ".Length..].Trim();
    }

    private static HttpClient Client(LiveXref xref)
    {
        var http = new HttpClient { BaseAddress = new Uri(xref.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return http;
    }

    private static async Task UpsertAsync(HttpClient http, int subject, string status)
    {
        using var response = await http.PostJson("/api/v1/external_references/create_or_update",
            new JsonObject
            {
                ["external_reference"] = new JsonObject
                {
                    ["subject_type"] = "Workspace", ["subject_id"] = subject, ["service_name"] = "jira", ["service_model"] = "Issue",
                    ["service_model_ref"] = $"J-{subject}", ["status"] = status,
                },
            }.ToJsonString());
        Assert.Equal(200, (int)response.StatusCode);
    }

    /// <summary>Checks the signature as a receiver would, and returns the event's body.</summary>
    private static JsonNode Verified(WebhookReceiver.Delivery delivery, string secret)
    {
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret),
            (byte[])[.. Encoding.UTF8.GetBytes(delivery.Timestamp + "."), .. delivery.Body]));
        Assert.Equal(expected, delivery.Signature);
        Assert.InRange(long.Parse(delivery.Timestamp), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 300, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5);
        var body = JsonNode.Parse(delivery.Body)!;
        Assert.Equal(delivery.Event, body["event"]!.GetValue<string>());
        Assert.Equal(delivery.DeliveryId, body["id"]!.GetValue<string>());
        return body;
    }

    [Theory]
    [AllDatabases]
    public async Task Each_change_arrives_once_and_signed_under_32_concurrent_writers(string kind)
    {
        const int writers = 32, flips = 6;
        await using var database = await TestDatabase.CreateAsync(kind);
        var seed = await XrefApp.WriteSeedAsync(Seed(writers));
        try
        {
            await using var receiver = await WebhookReceiver.StartAsync();
            await using var xref = await LiveXref.StartAsync(database.Url, seed, "--webhook-retry-ms", "200");
            var secret = await SubscribeAsync(database.Url, receiver.Url);
            using var http = Client(xref);
            // Each writer flips its own reference failed, successful, failed... : six changes across `failed`, so six events.
            await Task.WhenAll(Enumerable.Range(1, writers).Select(async subject =>
            {
                for (var i = 0; i < flips; i++) await UpsertAsync(http, subject, i % 2 == 0 ? "failed" : "successful");
            }));
            await receiver.WaitForAsync(writers * flips);

            var received = receiver.Received.ToList();
            Assert.Equal(writers * flips, received.Count);
            Assert.Equal(received.Count, received.Select(d => d.DeliveryId).Distinct().Count());
            var events = received.Select(d => Verified(d, secret)).ToList();
            foreach (var perReference in events.GroupBy(e => e["external_reference"]!["subject_id"]!.GetValue<long>()))
            {
                var byOrder = perReference.OrderBy(e => long.Parse(e["id"]!.GetValue<string>())).ToList();
                Assert.Equal(["reference.failed", "reference.recovered", "reference.failed", "reference.recovered", "reference.failed", "reference.recovered"],
                    byOrder.Select(e => e["event"]!.GetValue<string>()));
                Assert.Equal([null, "failed", "successful", "failed", "successful", "failed"], byOrder.Select(e => e["previous_status"]?.GetValue<string>()));
                Assert.Equal(["failed", "successful", "failed", "successful", "failed", "successful"],
                    byOrder.Select(e => e["external_reference"]!["status"]!.GetValue<string>()));
            }
            Assert.Equal(writers, events.Select(e => e["external_reference"]!["subject_id"]!.GetValue<long>()).Distinct().Count());

            // The log says the same.
            var log = await XrefProcess.RunAsync("webhooks", "deliveries", "1", "--database", database.Url, "--limit", "1000");
            var lines = log.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(writers * flips, lines.Length);
            Assert.All(lines, line => Assert.Contains("  delivered  attempts 1  ", line));
        }
        finally
        {
            File.Delete(seed);
        }
    }

    [Theory]
    [AllDatabases]
    public async Task Events_survive_a_killed_Xref_during_the_receivers_outage(string kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind);
        var seed = await XrefApp.WriteSeedAsync(Seed(10));
        try
        {
            await using var receiver = await WebhookReceiver.StartAsync();
            receiver.Answer = 503;
            await using var xref = await LiveXref.StartAsync(database.Url, seed, "--webhook-retry-ms", "200");
            var secret = await SubscribeAsync(database.Url, receiver.Url);
            using (var http = Client(xref))
                for (var subject = 1; subject <= 10; subject++) await UpsertAsync(http, subject, "failed");

            // Every event has been tried and refused at least once; then Xref dies without a word.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (receiver.Refused < 10 && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.True(receiver.Refused >= 10, $"only {receiver.Refused} attempts were made");
            await xref.KillAsync();
            receiver.Answer = 204;
            Assert.Empty(receiver.Received);

            await xref.StartAgainAsync();
            await receiver.WaitForAsync(10);
            var events = receiver.Received.Select(d => Verified(d, secret)).ToList();
            Assert.Equal(10, events.Count);
            Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i),
                events.Select(e => e["external_reference"]!["subject_id"]!.GetValue<long>()).Order());
            Assert.All(events, e => Assert.Equal("reference.failed", e["event"]!.GetValue<string>()));
            var log = await XrefProcess.RunAsync("webhooks", "deliveries", "1", "--database", database.Url);
            Assert.All(log.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries), line =>
            {
                Assert.Contains("  delivered  ", line);
                Assert.DoesNotContain("attempts 1 ", line); // refused first, delivered after the restart
            });
        }
        finally
        {
            File.Delete(seed);
        }
    }

    [Theory]
    [AllDatabases]
    public async Task An_import_fires_no_event_and_a_removed_subscription_gets_none(string kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind);
        var seed = await XrefApp.WriteSeedAsync(Seed(3));
        var lines = Path.GetTempFileName();
        try
        {
            await using var receiver = await WebhookReceiver.StartAsync();
            await using var xref = await LiveXref.StartAsync(database.Url, seed, "--webhook-retry-ms", "200");
            await SubscribeAsync(database.Url, receiver.Url);
            await File.WriteAllLinesAsync(lines, Enumerable.Range(1, 3).Select(i =>
                $$"""{"subject_type": "Workspace", "subject_id": {{i}}, "service_name": "netsuite", "service_model": "Bill", "service_model_ref": "B-{{i}}", "status": "failed"}"""));
            var imported = await XrefProcess.RunAsync("import", lines, "--account", "1", "--database", database.Url);
            Assert.True(imported.ExitCode == 0, imported.Error + imported.Out);

            // A live change after the import is announced: the import's rows were only muted, not lost to the trigger.
            using (var http = Client(xref)) await UpsertAsync(http, 1, "failed");
            await receiver.WaitForAsync(1);
            Assert.Equal(["jira"], receiver.Received.Select(d => JsonNode.Parse(d.Body)!["external_reference"]!["service_name"]!.GetValue<string>()));

            var list = await XrefProcess.RunAsync("webhooks", "list", "--database", database.Url);
            Assert.Matches($@"^1  account 1  created \S+Z  reference.failed,reference.recovered  {receiver.Url}\n$", list.Out);
            Assert.DoesNotContain("whsec_", list.Out);
            var removed = await XrefProcess.RunAsync("webhooks", "remove", "1", "--database", database.Url);
            Assert.True(removed.Out == "webhook 1 removed\n", removed.Error + removed.Out);
            using (var http = Client(xref)) await UpsertAsync(http, 2, "failed");
            await Task.Delay(1500);
            Assert.Single(receiver.Received);

            var refused = await XrefProcess.RunAsync("webhooks", "add", "--database", database.Url, "--account", "1", "--url", "ftp://example.com/x");
            Assert.Equal((1, "xref: --url: an absolute http:// or https:// URL is required.\n"), (refused.ExitCode, refused.Error));
            var unknown = await XrefProcess.RunAsync("webhooks", "add", "--database", database.Url, "--account", "1", "--url", receiver.Url, "--events", "reference.deleted");
            Assert.Equal((1, "xref: --events: 'reference.deleted' is not an event; choose from reference.failed, reference.recovered.\n"), (unknown.ExitCode, unknown.Error));
        }
        finally
        {
            File.Delete(seed);
            File.Delete(lines);
        }
    }
}
