using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.Operations;

public sealed class ConcurrencyTests
{
    private sealed record Op(string Key, string Kind, string? Value, long Id, double Start, double End);

    [Theory, AllDatabases]
    public async Task Sixty_four_clients_on_overlapping_keys_leave_an_explainable_state(string db)
    {
        await using var app = await XrefApp.StartAsync(db, settings: new() { ["rate-limit"] = "off" });
        var client = app.Client();
        var keys = (from subject in new[] { 100, 101 } from service in new[] { "a", "b", "c", "d" } select (subject, service)).ToArray();
        var acknowledged = new ConcurrentBag<Op>();
        var serverErrors = new ConcurrentBag<string>();
        var knownIds = new ConcurrentDictionary<long, string>();
        var clock = Stopwatch.StartNew();
        // Run for at least 3 s and at least 640 operations: on a loaded CI machine 3 s alone can end while the
        // server is still warming up, and the final assertion would then judge a test that exercised nothing.
        var deadline = TimeSpan.FromSeconds(3);
        var giveUp = TimeSpan.FromSeconds(60);
        const int minimumOperations = 640;
        var attempted = 0;
        var sequence = 0;

        async Task Worker(int seed)
        {
            var random = new Random(seed);
            while ((clock.Elapsed < deadline || Volatile.Read(ref attempted) < minimumOperations) && clock.Elapsed < giveUp)
            {
                Interlocked.Increment(ref attempted);
                var (subject, service) = keys[random.Next(keys.Length)];
                var key = $"{subject}/{service}";
                var start = clock.Elapsed.TotalMilliseconds;
                switch (random.Next(10))
                {
                    case < 6:
                        var value = $"v{Interlocked.Increment(ref sequence)}";
                        var upsert = await client.PostJson("/api/v1/external_references/create_or_update", $$$"""
                            {"external_reference": {"subject_type": "Workspace", "subject_id": {{{subject}}}, "service_name": "{{{service}}}", "service_model": "m", "service_model_ref": "{{{value}}}"}}
                            """);
                        if ((int)upsert.StatusCode >= 500) serverErrors.Add(await upsert.Content.ReadAsStringAsync());
                        if (upsert.StatusCode == HttpStatusCode.OK)
                        {
                            var id = long.Parse((await JsonAssert.StatusAsync(upsert, HttpStatusCode.OK))["results"]![0]!["id"]!.GetValue<string>());
                            knownIds[id] = key;
                            acknowledged.Add(new Op(key, "upsert", value, id, start, clock.Elapsed.TotalMilliseconds));
                        }
                        break;
                    case < 8:
                        var candidates = knownIds.Where(k => k.Value == key).Select(k => k.Key).ToArray();
                        if (candidates.Length == 0) break;
                        var target = candidates[random.Next(candidates.Length)];
                        var delete = await client.DeleteAsync($"/api/v1/external_references/{target}");
                        if ((int)delete.StatusCode >= 500) serverErrors.Add(await delete.Content.ReadAsStringAsync());
                        if (delete.StatusCode == HttpStatusCode.NoContent)
                            acknowledged.Add(new Op(key, "delete", null, target, start, clock.Elapsed.TotalMilliseconds));
                        break;
                    default:
                        var read = await client.GetAsync($"/api/v1/external_references?subject_type=Workspace&subject_id={subject}&service_name={service}");
                        if ((int)read.StatusCode >= 500) serverErrors.Add(await read.Content.ReadAsStringAsync());
                        else Assert.True((await JsonAssert.StatusAsync(read, HttpStatusCode.OK))["count"]!.GetValue<long>() <= 1);
                        break;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() => Worker(i))));
        Assert.True(serverErrors.IsEmpty, string.Join("\n", serverErrors.Take(3)));
        Assert.Equal(0, await Sql.CountAsync(app, """
            SELECT COUNT(*) FROM (SELECT account_id, subject_type, subject_id, service_name FROM external_references
            GROUP BY account_id, subject_type, subject_id, service_name HAVING COUNT(*) > 1) duplicates
            """));

        var final = await JsonAssert.StatusAsync(await client.GetAsync("/api/v1/external_references?subject_type=Workspace&per_page=200"), HttpStatusCode.OK);
        var stored = final["external_references"]!.AsObject().ToDictionary(
            p => $"{p.Value!["subject_id"]}/{p.Value!["service_name"]!.GetValue<string>()}",
            p => (Id: long.Parse(p.Key), Value: p.Value!["service_model_ref"]!.GetValue<string>()));
        foreach (var (subject, service) in keys)
        {
            var key = $"{subject}/{service}";
            var ops = acknowledged.Where(o => o.Key == key).ToList();
            // The op that produced the final state may not be strictly followed by another completed op on the key.
            var candidates = ops.Where(o => !ops.Any(other => other.Start > o.End)).ToList();
            if (stored.TryGetValue(key, out var row))
                Assert.Contains(candidates, o => o.Kind == "upsert" && o.Value == row.Value && o.Id == row.Id);
            else
                Assert.True(ops.Count == 0 || candidates.Any(o => o.Kind == "delete"), $"{key} is absent but no delete explains it");
        }
        Assert.True(acknowledged.Count > 100, $"only {acknowledged.Count} operations were acknowledged");
    }
}
