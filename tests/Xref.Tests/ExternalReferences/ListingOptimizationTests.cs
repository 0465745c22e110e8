using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Xref.ExternalReferences;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.ExternalReferences;

/// <summary>
/// The optimisations of the list endpoint must never change a result: counts kept in reference_stats equal
/// COUNT(*), and a page read by seeking from a remembered boundary equals the page OFFSET returns.
/// </summary>
public sealed class ListingOptimizationTests
{
    private const string Upsert = "/api/v1/external_references/create_or_update";
    private static readonly string[] Services = ["jira", "qb", "sf"];
    private static readonly string[] Statuses = ["pending", "successful", "failed"];

    private static async Task<string> UpsertAsync(XrefApp app, string type, int subject, string service, string status, string model = "m")
    {
        var response = await app.Client().PostJson(Upsert, $$$"""
            {"external_reference": {"subject_type": "{{{type}}}", "subject_id": {{{subject}}}, "service_name": "{{{service}}}",
             "service_model": "{{{model}}}", "service_model_ref": "r", "status": "{{{status}}}"}}
            """);
        var body = await JsonAssert.StatusAsync(response, HttpStatusCode.OK);
        return body["results"]![0]!["id"]!.GetValue<string>();
    }

    private static async Task<long> ListedCount(XrefApp app, string query, string token = XrefApp.AcmeWrite) =>
        (await JsonAssert.StatusAsync(await app.Client(token).GetAsync("/api/v1/external_references?" + query), HttpStatusCode.OK))["count"]!.GetValue<long>();

    [Theory, AllDatabases]
    public async Task Counts_equal_count_star_after_random_creates_updates_and_deletes(string db)
    {
        await using var app = await XrefApp.StartAsync(db, seed: ManySubjectsSeed(40));
        var random = new Random(7);
        var ids = new List<string>();
        for (var step = 0; step < 300; step++)
        {
            var roll = random.Next(10);
            if (roll < 6 || ids.Count == 0)
                ids.Add(await UpsertAsync(app, random.Next(2) == 0 ? "Workspace" : "Story", random.Next(1, 41),
                    Services[random.Next(3)], Statuses[random.Next(3)]));
            else if (roll < 8)
            {
                var victim = ids[random.Next(ids.Count)];
                var status = (await app.Client().DeleteAsync($"/api/v1/external_references/{victim}")).StatusCode;
                Assert.Contains(status, new[] { HttpStatusCode.NoContent, HttpStatusCode.NotFound });
                ids.Remove(victim);
            }
            else
                await app.Client().PostJson(Upsert, """{"external_reference": {"subject_type": "Workspace", "subject_id": 1, "service_name": "jira", "service_model": "changed", "service_model_ref": "r"}}""");
        }
        foreach (var type in new[] { "Workspace", "Story", "Invoice" })
        {
            Assert.Equal(await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references WHERE account_id = 1 AND subject_type = @type", new { type }),
                await ListedCount(app, $"subject_type={type}"));
            foreach (var service in Services)
            {
                Assert.Equal(await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references WHERE account_id = 1 AND subject_type = @type AND service_name = @service", new { type, service }),
                    await ListedCount(app, $"subject_type={type}&service_name={service}"));
                foreach (var status in Statuses)
                    Assert.Equal(await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references WHERE account_id = 1 AND subject_type = @type AND service_name = @service AND status = @status", new { type, service, status }),
                        await ListedCount(app, $"subject_type={type}&service_name={service}&status={status}"));
            }
            foreach (var status in Statuses)
                Assert.Equal(await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references WHERE account_id = 1 AND subject_type = @type AND status = @status", new { type, status }),
                    await ListedCount(app, $"subject_type={type}&status={status}"));
        }
        Assert.Equal(0, await ListedCount(app, "subject_type=Workspace", XrefApp.OtherWrite));
    }

    [Theory, AllDatabases]
    public async Task A_walk_without_writes_seeks_and_returns_exactly_the_offset_order(string db)
    {
        await using var app = await XrefApp.StartAsync(db, seed: ManySubjectsSeed(30));
        await CreateSpreadAsync(app, 90);
        var cache = app.Services.GetRequiredService<PageCache>();
        var expected = await OffsetOrderAsync(app);
        var seeksBefore = cache.Seeks;
        var walked = new List<string>();
        for (var page = 1; page <= 10; page++)
            walked.AddRange(await PageIdsAsync(app, page));
        Assert.Equal(expected, walked);
        Assert.Equal(9, cache.Seeks - seeksBefore); // pages 2..10 each follow a full page (page 10 seeks past the end)
    }

    [Theory, AllDatabases]
    public async Task A_walk_with_writes_between_pages_returns_what_offset_returns_at_each_page(string db)
    {
        await using var app = await XrefApp.StartAsync(db, seed: ManySubjectsSeed(30));
        await CreateSpreadAsync(app, 90);
        var cache = app.Services.GetRequiredService<PageCache>();
        var random = new Random(3);
        for (var page = 1; page <= 9; page++)
        {
            var seeksBefore = cache.Seeks;
            Assert.Equal(await OffsetPageAsync(app, page), await PageIdsAsync(app, page));
            if (page > 1) Assert.Equal(0, cache.Seeks - seeksBefore); // every page follows a write: OFFSET, never a stale seek
            // A write that moves a row across the page boundary (an update re-syncs it to the front).
            app.Clock.Advance(TimeSpan.FromSeconds(1));
            await UpsertAsync(app, "Workspace", random.Next(1, 31), Services[random.Next(3)], "failed", model: $"m{page}");
        }
    }

    [Theory, AllDatabases]
    public async Task A_page_polled_again_is_served_from_memory_until_a_write_to_its_listing_commits_on_any_node(string db)
    {
        await using var app = await XrefApp.StartAsync(db, seed: ManySubjectsSeed(30));
        await CreateSpreadAsync(app, 90);
        var cache = app.Services.GetRequiredService<PageCache>();
        const string poll = "/api/v1/external_references?subject_type=Workspace&status=failed&per_page=10";

        var (first, reuses) = await PollUntilRememberedAsync(app, cache, poll);
        Assert.Equal(await FailedPageFromDatabaseAsync(app), IdsOf(first));

        // Another node's write, straight to the database (this node sees no request): the next poll reads the page again.
        var target = long.Parse(IdsOf(first)[3]);
        await app.Database.WriteAsync((c, tx) => c.ExecuteAsync(
            "UPDATE external_references SET external_status = 'changed on node 2' WHERE id = @target", new { target }, tx));
        var afterUpdate = await BodyAsync(app, poll);
        Assert.Equal(reuses, cache.Reuses);
        Assert.Equal("changed on node 2", JsonNode.Parse(afterUpdate)!["external_references"]![target.ToString()]!["external_status"]!.GetValue<string>());
        // A listing just written to is read in full until it is seen unchanged again; then it is remembered again.
        Assert.Equal(afterUpdate, await BodyAsync(app, poll));
        Assert.Equal(reuses, cache.Reuses);
        Assert.Equal(afterUpdate, await BodyAsync(app, poll));
        Assert.Equal(reuses + 1, cache.Reuses);

        // A write to another row of the type, off this page and off this listing, also moves the version: read again, unchanged.
        await UpsertAsync(app, "Workspace", 1, "jira", "pending", model: "elsewhere");
        Assert.Equal(afterUpdate, await BodyAsync(app, poll));
        Assert.Equal(reuses + 1, cache.Reuses);

        // A delete through the API: the row leaves the page and the count drops.
        Assert.Equal(HttpStatusCode.NoContent, (await app.Client().DeleteAsync($"/api/v1/external_references/{target}")).StatusCode);
        var afterDelete = JsonNode.Parse(await BodyAsync(app, poll))!;
        Assert.Equal(29, afterDelete["count"]!.GetValue<long>());
        Assert.Equal(await FailedPageFromDatabaseAsync(app), IdsOf(afterDelete.ToJsonString()));
        Assert.DoesNotContain(target.ToString(), IdsOf(afterDelete.ToJsonString()));
    }

    [Theory, AllDatabases]
    public async Task A_remembered_page_is_served_with_or_without_its_includes_and_never_to_another_account(string db)
    {
        await using var app = await XrefApp.StartAsync(db, seed: ManySubjectsSeed(30));
        await CreateSpreadAsync(app, 90);
        var cache = app.Services.GetRequiredService<PageCache>();
        const string poll = "/api/v1/external_references?subject_type=Workspace&per_page=5";

        var withSubjects = JsonNode.Parse(await BodyAsync(app, poll + "&include=subject"))!;
        var plain = JsonNode.Parse(await BodyAsync(app, poll))!;
        var reuses = cache.Reuses;
        var again = JsonNode.Parse(await BodyAsync(app, poll + "&include=subject"))!;
        Assert.Equal(plain.ToJsonString(), await BodyAsync(app, poll));
        Assert.Equal(reuses + 2, cache.Reuses);
        Assert.Equal(withSubjects.ToJsonString(), again.ToJsonString());
        Assert.NotNull(again["workspaces"]);
        Assert.All(again["external_references"]!.AsObject(), r => Assert.NotNull(r.Value!["subject_ref"]));
        Assert.Null(plain["workspaces"]);
        Assert.All(plain["external_references"]!.AsObject(), r => Assert.Null(r.Value!["subject_ref"]));
        Assert.Equal(IdsOf(withSubjects.ToJsonString()), IdsOf(plain.ToJsonString()));

        // The same listing asked by another account: its own (empty) page, not the remembered one.
        var other = JsonNode.Parse(await BodyAsync(app, poll, XrefApp.OtherWrite))!;
        Assert.Equal(0, other["count"]!.GetValue<long>());
        Assert.Empty(other["results"]!.AsArray());
    }

    [Theory, AllDatabases]
    public async Task A_counted_listing_served_from_memory_keeps_its_exact_count(string db)
    {
        await using var app = await XrefApp.StartAsync(db, seed: ManySubjectsSeed(30));
        await CreateSpreadAsync(app, 90);
        var cache = app.Services.GetRequiredService<PageCache>();
        // Filtered on service_model: counted with COUNT(*), not summed from the count tables.
        const string poll = "/api/v1/external_references?subject_type=Workspace&service_model=m&status=failed&per_page=5";
        var (first, reuses) = await PollUntilRememberedAsync(app, cache, poll);
        Assert.Equal(30, JsonNode.Parse(first)!["count"]!.GetValue<long>());

        // A new reference in the listing, and one that leaves it (its model changes): both read, counted exactly.
        var added = await UpsertAsync(app, "Workspace", 1, "netsuite", "failed");
        await UpsertAsync(app, "Workspace", 3, "jira", "failed", model: "other");  // i = 2 of CreateSpreadAsync: failed, model m
        var after = JsonNode.Parse(await BodyAsync(app, poll))!;
        Assert.Equal(reuses, cache.Reuses);
        Assert.Equal(30, after["count"]!.GetValue<long>());
        Assert.Contains(added, IdsOf(after.ToJsonString()));
        var inDatabase = await app.Database.ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM external_references WHERE account_id = 1 AND subject_type = 'Workspace' AND service_model = 'm' AND status = 'failed'"));
        Assert.Equal(30, inDatabase);
    }

    [Fact]
    public void The_page_cache_keeps_rows_within_its_budgets_and_boundaries_beyond_them()
    {
        var cache = new PageCache(enabled: true);
        var rows = Enumerable.Range(1, 200).Select(i => new ExternalReference(
            i, 1, "Workspace", i, "jira", "m", "r", "failed", null, null, null, false, i, i, i)).ToArray();
        var listings = Enumerable.Range(0, 30).Select(i => PageCache.ListingOf(1, $"listing {i}")).ToArray();
        foreach (var listing in listings) cache.Set(listing, 1, version: 7, count: 900, end: new(1, 200), rows, unchanged: true);
        Assert.InRange(cache.RowsKept, 200, PageCache.RowsPerAccount);
        Assert.All(listings, l => Assert.True(cache.TryGet(l, 1, out var e) && e.End == new PageCache.Boundary(1, 200) && e.Version == 7));
        Assert.True(cache.TryGet(listings[^1], 1, out var latest) && latest.Rows!.Length == 200 && latest.Count == 900 && latest.Reusable);

        // A walk's later pages are remembered for seeking, without their rows.
        cache.Set(listings[0], PageCache.PagesWithRows + 1, version: 7, count: 900, end: new(1, 200), rows, unchanged: true);
        Assert.True(cache.TryGet(listings[0], PageCache.PagesWithRows + 1, out var deep) && deep.Rows is null && deep.End is not null && !deep.Reusable);

        // Many accounts: the total row budget holds too.
        for (var account = 2; account < 40; account++)
            for (var i = 0; i < 20; i++)
                cache.Set(PageCache.ListingOf(account, $"listing {i}"), 1, version: 1, count: 200, end: null, rows, unchanged: false);
        Assert.InRange(cache.RowsKept, 200, PageCache.TotalRows);
    }

    /// <summary>
    /// Reads <paramref name="poll"/> twice (the second read finds the listing unchanged), then once more, served from
    /// memory; returns the body and the cache's count of pages served from memory after it.
    /// </summary>
    private static async Task<(string Body, long Reuses)> PollUntilRememberedAsync(XrefApp app, PageCache cache, string poll)
    {
        var first = await BodyAsync(app, poll);
        Assert.Equal(first, await BodyAsync(app, poll));
        var reuses = cache.Reuses;
        Assert.Equal(first, await BodyAsync(app, poll));
        Assert.Equal(reuses + 1, cache.Reuses);
        return (first, reuses + 1);
    }

    private static async Task<string> BodyAsync(XrefApp app, string path, string token = XrefApp.AcmeWrite)
    {
        var response = await app.Client(token).GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static List<string> IdsOf(string body) =>
        [.. JsonNode.Parse(body)!["results"]!.AsArray().Select(r => r!["id"]!.GetValue<string>())];

    private static async Task<List<string>> FailedPageFromDatabaseAsync(XrefApp app) => [.. (await app.Database.ReadAsync(c => c.QueryAsync<long>(
        "SELECT id FROM external_references WHERE account_id = 1 AND subject_type = 'Workspace' AND status = 'failed' ORDER BY last_synced_at DESC, id ASC LIMIT 10"))).Select(id => id.ToString())];

    private static async Task CreateSpreadAsync(XrefApp app, int count)
    {
        for (var i = 0; i < count; i++)
        {
            // Several rows share a second, so the id tiebreaker matters at page boundaries.
            if (i % 3 == 0) app.Clock.Advance(TimeSpan.FromSeconds(1));
            await UpsertAsync(app, "Workspace", i % 30 + 1, Services[i / 30], Statuses[i % 3]);
        }
    }

    private static async Task<List<string>> PageIdsAsync(XrefApp app, int page)
    {
        var body = await JsonAssert.StatusAsync(await app.Client().GetAsync($"/api/v1/external_references?subject_type=Workspace&per_page=10&page={page}"), HttpStatusCode.OK);
        Assert.Equal(90, body["count"]!.GetValue<long>());
        return [.. body["results"]!.AsArray().Select(r => r!["id"]!.GetValue<string>())];
    }

    private static async Task<List<string>> OffsetOrderAsync(XrefApp app) => [.. (await app.Database.ReadAsync(c => c.QueryAsync<long>(
        "SELECT id FROM external_references WHERE account_id = 1 AND subject_type = 'Workspace' ORDER BY last_synced_at DESC, id ASC"))).Select(id => id.ToString())];

    private static async Task<List<string>> OffsetPageAsync(XrefApp app, int page) => [.. (await app.Database.ReadAsync(c => c.QueryAsync<long>(
        "SELECT id FROM external_references WHERE account_id = 1 AND subject_type = 'Workspace' ORDER BY last_synced_at DESC, id ASC LIMIT 10 OFFSET @offset",
        new { offset = (page - 1) * 10 }))).Select(id => id.ToString())];

    /// <summary>The standard accounts, with Workspaces and Stories 1..n in account 1.</summary>
    private static string ManySubjectsSeed(int n)
    {
        var subjects = string.Join(", ", Enumerable.Range(1, n).Select(i => $$"""{"id": {{i}}}"""));
        return "{\"accounts\": [" +
            "{\"id\": 1, \"name\": \"Acme\", \"users\": [{\"id\": 10, \"full_name\": \"Ada\", \"tokens\": [{\"token\": \"acme-write-token\", \"scope\": \"write\"}]}]," +
            $" \"subjects\": {{\"Workspace\": [{subjects}], \"Story\": [{subjects}]}}}}," +
            "{\"id\": 2, \"name\": \"Globex\", \"users\": [{\"id\": 20, \"full_name\": \"Gil\", \"tokens\": [{\"token\": \"other-write-token\", \"scope\": \"write\"}]}]," +
            " \"subjects\": {\"Workspace\": [{\"id\": 900}]}}]}";
    }
}
