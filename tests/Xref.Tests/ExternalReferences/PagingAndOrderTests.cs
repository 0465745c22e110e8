using System.Net;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.ExternalReferences;

/// <summary>Paging, limit/offset, only, order and parameter handling of GET /external_references (contract §3, §8).</summary>
public sealed class PagingAndOrderTests
{
    /// <summary>
    /// <paramref name="n"/> Workspace references, one second apart, so the default order (last_synced_at desc)
    /// is newest first. Returned oldest first: index i is the (i+1)th created.
    /// </summary>
    private static async Task<List<Ref>> CreateManyAsync(XrefApp app, int n)
    {
        var refs = new List<Ref>();
        for (var i = 0; i < n; i++)
        {
            refs.Add(await app.CreateRefAsync(new Ref { SubjectId = 100 + i % 2, ServiceName = $"svc-{i:D2}", ServiceModelRef = $"R{i}" }));
            app.Tick();
        }
        return refs;
    }

    private static Ref[] NewestFirst(IEnumerable<Ref> refs) => [.. refs.Reverse()];

    private static Task Expect(HttpResponseMessage response, IEnumerable<Ref> page, long count, long pageCount, long pageNumber, int pageSize = 20) =>
        JsonAssert.ResponseAsync(response, HttpStatusCode.OK, Expected.Envelope(page, count, pageCount, pageNumber, pageSize));

    [Theory, AllDatabases]
    public async Task Default_paging_is_20_a_page(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var newest = NewestFirst(await CreateManyAsync(app, 25));
        await Expect(await app.ListAsync("subject_type=Workspace"), newest[..20], 25, 2, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&page=1"), newest[..20], 25, 2, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&page=2"), newest[20..], 25, 2, 2);
        await Expect(await app.ListAsync("subject_type=Workspace&per_page=7&page=3"), newest[14..21], 25, 4, 3, 7);
        await Expect(await app.ListAsync("subject_type=Workspace&per_page=7&page=4"), newest[21..], 25, 4, 4, 7);
        await Expect(await app.ListAsync("subject_type=Workspace&per_page=25"), newest, 25, 1, 1, 25);
        await Expect(await app.ListAsync("subject_type=Workspace&per_page=1&page=25"), newest[24..], 25, 25, 25, 1);
    }

    [Theory, AllDatabases]
    public async Task Per_page_is_clamped_and_junk_means_20(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var newest = NewestFirst(await CreateManyAsync(app, 21));
        await Expect(await app.ListAsync("subject_type=Workspace&per_page=500"), newest, 21, 1, 1, 200);
        await Expect(await app.ListAsync("subject_type=Workspace&per_page=201"), newest, 21, 1, 1, 200);
        await Expect(await app.ListAsync("subject_type=Workspace&per_page=200"), newest, 21, 1, 1, 200);
        await Expect(await app.ListAsync("subject_type=Workspace&per_page=99999999999999999999999"), newest, 21, 1, 1, 200);
        foreach (var junk in new[] { "0", "-1", "-500", "", "%20", "abc", "10.5", "1e2", "ten", "20abc" })
            await Expect(await app.ListAsync("subject_type=Workspace&per_page=" + junk), newest[..20], 21, 2, 1);
    }

    [Theory, AllDatabases]
    public async Task Page_below_one_or_junk_is_page_one(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var newest = NewestFirst(await CreateManyAsync(app, 3));
        foreach (var junk in new[] { "0", "-1", "-99999999999999999999", "", "abc", "2.5", "two" })
            await Expect(await app.ListAsync("subject_type=Workspace&per_page=2&page=" + junk), newest[..2], 3, 2, 1, 2);
    }

    [Theory, AllDatabases]
    public async Task A_page_past_the_end_is_empty_with_real_counts(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        await CreateManyAsync(app, 25);
        await Expect(await app.ListAsync("subject_type=Workspace&page=5&per_page=10"), [], 25, 3, 5, 10);
        await Expect(await app.ListAsync("subject_type=Workspace&page=3"), [], 25, 2, 3);
        await Expect(await app.ListAsync("subject_type=Workspace&page=99999999999999999999"), [], 25, 2, long.MaxValue);
        // No match at all: the empty envelope, whatever page was asked for.
        await Expect(await app.ListAsync("subject_type=Story&page=3&per_page=10"), [], 0, 0, 0, 10);
    }

    [Theory, AllDatabases]
    public async Task Limit_and_offset_override_paging_but_not_meta_page_size(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var newest = NewestFirst(await CreateManyAsync(app, 25));
        await Expect(await app.ListAsync("subject_type=Workspace&limit=5&offset=3"), newest[3..8], 25, 2, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&limit=5&offset=3&per_page=10"), newest[3..8], 25, 3, 1, 10);
        await Expect(await app.ListAsync("subject_type=Workspace&limit=5&offset=3&page=2&per_page=10"), newest[3..8], 25, 3, 2, 10);
        await Expect(await app.ListAsync("subject_type=Workspace&limit=0&offset=0"), newest[..1], 25, 2, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&limit=-5&offset=2"), newest[2..3], 25, 2, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&limit=500&offset=1"), newest[1..], 25, 2, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&limit=3&offset=-10"), newest[..3], 25, 2, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&limit=3&offset=24"), newest[24..], 25, 2, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&limit=3&offset=25"), [], 25, 2, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&limit=3&offset=99999999999999999999"), [], 25, 2, 1);
        // Both are needed: either alone, or one that is not a number, leaves page/per_page in charge.
        await Expect(await app.ListAsync("subject_type=Workspace&limit=3"), newest[..20], 25, 2, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&offset=3"), newest[..20], 25, 2, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&limit=abc&offset=3&page=2"), newest[20..], 25, 2, 2);
        await Expect(await app.ListAsync("subject_type=Workspace&limit=3&offset=&page=2"), newest[20..], 25, 2, 2);
    }

    [Theory, AllDatabases]
    public async Task Limit_is_clamped_to_200(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var newest = NewestFirst(await CreateManyAsync(app, 205));
        await Expect(await app.ListAsync("subject_type=Workspace&limit=201&offset=0"), newest[..200], 205, 11, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&limit=200&offset=5"), newest[5..], 205, 11, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&per_page=1000&page=2"), newest[200..], 205, 2, 2, 200);
    }

    [Theory, AllDatabases]
    public async Task Only_returns_those_ids_without_paging(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var refs = await CreateManyAsync(app, 8);
        Ref R(int i) => refs[i - 1];
        // Default order still applies (newest sync first); junk tokens and duplicates are dropped, unknown ids are absent.
        await Expect(await app.ListAsync("subject_type=Workspace&only=3,5,7"), [R(7), R(5), R(3)], 3, 1, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&only=5,abc,3,,5,-2,7.0,%203,999,0"), [R(5), R(3)], 2, 1, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&only=2"), [R(2)], 1, 1, 1);
        // Paging is off: per_page, page, limit and offset do not cut the result; meta follows contract §8.
        await Expect(await app.ListAsync("subject_type=Workspace&only=1,2,3,4,5&per_page=2"), [R(5), R(4), R(3), R(2), R(1)], 5, 3, 1, 2);
        await Expect(await app.ListAsync("subject_type=Workspace&only=1,2,3,4,5&per_page=2&page=2"), [R(5), R(4), R(3), R(2), R(1)], 5, 3, 2, 2);
        await Expect(await app.ListAsync("subject_type=Workspace&only=1,2,3,4,5&limit=1&offset=3"), [R(5), R(4), R(3), R(2), R(1)], 5, 1, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&only=1,2,3&per_page=500&page=-1"), [R(3), R(2), R(1)], 3, 1, 1, 200);
        // Other filters and the order still apply.
        await Expect(await app.ListAsync("subject_type=Workspace&only=1,2,3,4,5&subject_id=100"), [R(5), R(3), R(1)], 3, 1, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&only=1,2,3,4,5&order=created_at:asc"), [R(1), R(2), R(3), R(4), R(5)], 5, 1, 1);
        await Expect(await app.ListAsync("subject_type=Story&only=1,2,3"), [], 0, 0, 0);
    }

    [Theory, AllDatabases]
    public async Task Only_with_no_usable_id_is_empty_not_everything(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        await CreateManyAsync(app, 3);
        foreach (var only in new[] { "abc", ",", "-1,-2", "1.0", "0", "999", "1a,2b", "99999999999999999999" })
            await JsonAssert.ResponseAsync(await app.ListAsync("subject_type=Workspace&only=" + only), HttpStatusCode.OK, Expected.EmptyList);
    }

    [Theory, AllDatabases]
    public async Task Only_accepts_more_than_200_ids(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var refs = await CreateManyAsync(app, 3);
        var ids = string.Join(",", Enumerable.Range(1, 500).Reverse());
        await Expect(await app.ListAsync("subject_type=Workspace&only=" + ids), NewestFirst(refs), 3, 1, 1);
    }

    [Theory, AllDatabases]
    public async Task Empty_or_array_only_is_the_normal_paged_list(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var newest = NewestFirst(await CreateManyAsync(app, 3));
        await Expect(await app.ListAsync("subject_type=Workspace&only=&per_page=2"), newest[..2], 3, 2, 1, 2);
        await Expect(await app.ListAsync("subject_type=Workspace&only=%20&per_page=2"), newest[..2], 3, 2, 1, 2);
        await Expect(await app.ListAsync("subject_type=Workspace&only[]=1&per_page=2"), newest[..2], 3, 2, 1, 2);
    }

    /// <summary>R1, R2, R3 created a second apart, then R1 synced again: created and synced orders differ.</summary>
    private static async Task<(XrefApp App, Ref R1, Ref R2, Ref R3)> OrderScenarioAsync(string db)
    {
        var app = await XrefApp.StartAsync(db);
        var r1 = await app.CreateRefAsync(new Ref { ServiceName = "a" });
        app.Tick();
        var r2 = await app.CreateRefAsync(new Ref { ServiceName = "b" });
        app.Tick();
        var r3 = await app.CreateRefAsync(new Ref { ServiceName = "c" });
        app.Tick();
        r1 = await app.TouchRefAsync(r1);
        return (app, r1, r2, r3);
    }

    [Theory, AllDatabases]
    public async Task Every_order_value(string db)
    {
        var (app, r1, r2, r3) = await OrderScenarioAsync(db);
        await using var _ = app;
        await Expect(await app.ListAsync("subject_type=Workspace&order=created_at:asc"), [r1, r2, r3], 3, 1, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&order=created_at:desc"), [r3, r2, r1], 3, 1, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&order=last_synced_at:asc"), [r2, r3, r1], 3, 1, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&order=last_synced_at:desc"), [r1, r3, r2], 3, 1, 1);
        await Expect(await app.ListAsync("subject_type=Workspace"), [r1, r3, r2], 3, 1, 1);
        // Paging follows the order.
        await Expect(await app.ListAsync("subject_type=Workspace&order=created_at:desc&per_page=2&page=2"), [r1], 3, 2, 2, 2);
    }

    [Theory, AllDatabases]
    public async Task Unknown_order_field_gives_the_default_field_and_direction(string db)
    {
        var (app, r1, r2, r3) = await OrderScenarioAsync(db);
        await using var _ = app;
        foreach (var order in new[] { "updated_at:asc", "id:asc", "bogus", ":asc", ":desc", "CREATED_AT:asc", "created_at%20:asc", "subject_id:asc;DROP", "", "%20" })
            await Expect(await app.ListAsync("subject_type=Workspace&order=" + order), [r1, r3, r2], 3, 1, 1);
    }

    [Theory, AllDatabases]
    public async Task A_direction_other_than_lowercase_desc_is_ascending(string db)
    {
        var (app, r1, r2, r3) = await OrderScenarioAsync(db);
        await using var _ = app;
        foreach (var order in new[] { "created_at:DESC", "created_at:Desc", "created_at", "created_at:", "created_at:descending", "created_at:desc%20", "created_at:asc", "created_at:up" })
            await Expect(await app.ListAsync("subject_type=Workspace&order=" + order), [r1, r2, r3], 3, 1, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&order=last_synced_at:DESC"), [r2, r3, r1], 3, 1, 1);
    }

    [Theory, AllDatabases]
    public async Task Equal_timestamps_are_ordered_by_id_ascending(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var a = await app.CreateRefAsync(new Ref { ServiceName = "a" });
        app.Tick(0.3);
        var b = await app.CreateRefAsync(new Ref { ServiceName = "b" });
        app.Tick(0.3);
        var c = await app.CreateRefAsync(new Ref { ServiceName = "c" });
        app.Tick(0.5); // the next second
        var d = await app.CreateRefAsync(new Ref { ServiceName = "d" });
        // a, b and c share 14:15:20 (fractions are truncated); d is 14:15:21.
        Assert.Equal("2026-11-22T14:15:20Z", Expected.Time(c.CreatedAt));
        Assert.Equal("2026-11-22T14:15:21Z", Expected.Time(d.CreatedAt));
        await Expect(await app.ListAsync("subject_type=Workspace"), [d, a, b, c], 4, 1, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&order=created_at:desc"), [d, a, b, c], 4, 1, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&order=created_at:asc"), [a, b, c, d], 4, 1, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&order=last_synced_at:asc"), [a, b, c, d], 4, 1, 1);
        // Pages through ties are stable: every record exactly once.
        await Expect(await app.ListAsync("subject_type=Workspace&per_page=2&page=1"), [d, a], 4, 2, 1, 2);
        await Expect(await app.ListAsync("subject_type=Workspace&per_page=2&page=2"), [b, c], 4, 2, 2, 2);
        await Expect(await app.ListAsync("subject_type=Workspace&limit=1&offset=2"), [b], 4, 1, 1);
    }

    [Theory, AllDatabases]
    public async Task A_repeated_parameter_takes_its_last_value(string db)
    {
        var (app, r1, r2, r3) = await OrderScenarioAsync(db);
        await using var _ = app;
        await Expect(await app.ListAsync("subject_type=Story&subject_type=Workspace"), [r1, r3, r2], 3, 1, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&subject_type=Story"), [], 0, 0, 0);
        await Expect(await app.ListAsync("subject_type=Workspace&service_name=a&service_name=b"), [r2], 1, 1, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&order=created_at:desc&order=created_at:asc"), [r1, r2, r3], 3, 1, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&per_page=1&per_page=2"), [r1, r3], 3, 2, 1, 2);
        await Expect(await app.ListAsync("subject_type=Workspace&per_page=1&page=3&page=2"), [r3], 3, 3, 2, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&only=1&only=2"), [r2], 1, 1, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&created_after=yesterday&created_after=2026-11-22T14:15:20Z"), [r3, r2], 2, 1, 1);
        // The last value is empty: as if the parameter were absent.
        await Expect(await app.ListAsync("subject_type=Workspace&service_name=a&service_name="), [r1, r3, r2], 3, 1, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&created_after=yesterday&created_after="), [r1, r3, r2], 3, 1, 1);
    }

    [Theory, AllDatabases]
    public async Task An_empty_parameter_is_absent(string db)
    {
        var (app, r1, r2, r3) = await OrderScenarioAsync(db);
        await using var _ = app;
        const string blanks = "subject_id=&service_name=&service_model=&service_model_ref=&status=&external_status=&external_message=" +
            "&created_after=&created_before=&updated_after=&updated_before=&last_synced_after=&last_synced_before=" +
            "&only=&order=&page=&per_page=&limit=&offset=&include=";
        await Expect(await app.ListAsync("subject_type=Workspace&" + blanks), [r1, r3, r2], 3, 1, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&" + blanks.Replace("=", "=%20")), [r1, r3, r2], 3, 1, 1);
        await Expect(await app.ListAsync("subject_type=Workspace&subject_id&status&created_after"), [r1, r3, r2], 3, 1, 1);
    }
}
