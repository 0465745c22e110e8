using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.ExternalReferences;

/// <summary>DELETE, account isolation, tokens and scopes, routing and request ids (contract §1, §4, §5).</summary>
public sealed class DeleteAndIsolationTests
{
    private const string ForeignSubject = "Workspace 100 does not exist in your account.";

    private static async Task AssertEmptyBodyAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("", body);
    }

    /// <summary>An absolute URI, so a path starting with "//" is not read as a host name.</summary>
    private static Uri Absolute(string path) => new("http://localhost" + path);

    private static Task<string> AssertNotFoundAsync(HttpResponseMessage response) =>
        JsonAssert.ResponseAsync(response, HttpStatusCode.NotFound, Expected.NotFound);

    [Theory, AllDatabases]
    public async Task Delete_is_204_with_an_empty_body_then_404(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var keep = await app.CreateRefAsync(new Ref { ServiceName = "keep" });
        var gone = await app.CreateRefAsync(new Ref { ServiceName = "gone" });
        var client = app.Client();

        var response = await client.DeleteAsync($"/api/v1/external_references/{gone.Id}");
        await AssertEmptyBodyAsync(response, HttpStatusCode.NoContent);
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references WHERE id = @id", new { id = gone.Id }));
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));

        await AssertNotFoundAsync(await client.DeleteAsync($"/api/v1/external_references/{gone.Id}"));
        await JsonAssert.ResponseAsync(await app.ListAsync("subject_type=Workspace"), HttpStatusCode.OK, Expected.List(keep));
    }

    [Theory, AllDatabases]
    public async Task Delete_of_an_unknown_or_malformed_id_is_404(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var r = await app.CreateRefAsync(new Ref());
        var client = app.Client();
        foreach (var id in new[] { "999", "0", "-1", "abc", "1abc", "1.0", "%201", "%2B1", "1%20", "99999999999999999999", "create_or_update" })
            await AssertNotFoundAsync(await client.DeleteAsync("/api/v1/external_references/" + id));
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
        // The reference's own id still works, with the suffix and a trailing slash.
        await AssertEmptyBodyAsync(await client.DeleteAsync($"/api/v1/external_references/{r.Id}.json/"), HttpStatusCode.NoContent);
    }

    [Theory, AllDatabases]
    public async Task Another_accounts_token_cannot_see_delete_or_overwrite(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var mine = await app.CreateRefAsync(new Ref { ServiceName = "jira", ExternalStatus = "Open" });
        var other = app.Client(XrefApp.OtherWrite);

        // List: nothing of account 1, by any filter.
        await JsonAssert.ResponseAsync(await app.ListAsync("subject_type=Workspace", XrefApp.OtherWrite), HttpStatusCode.OK, Expected.EmptyList);
        await JsonAssert.ResponseAsync(await app.ListAsync($"subject_type=Workspace&only={mine.Id}", XrefApp.OtherWrite), HttpStatusCode.OK, Expected.EmptyList);
        await JsonAssert.ResponseAsync(await app.ListAsync("subject_type=Workspace&subject_id=100&include=subject", XrefApp.OtherWrite), HttpStatusCode.OK, Expected.EmptyList);

        // Delete: 404, as for an id that does not exist; the row stays.
        await AssertNotFoundAsync(await other.DeleteAsync($"/api/v1/external_references/{mine.Id}"));
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references WHERE id = @id", new { id = mine.Id }));

        // Upsert onto account 1's subject, same key: 422 on subject_id, nothing changes.
        app.Tick(5);
        var response = await other.PostJson(Expected.UpsertUrl, """
            {"external_reference": {"subject_type": "Workspace", "subject_id": 100, "service_name": "jira",
             "service_model": "hijack", "service_model_ref": "X", "external_status": "Closed"}}
            """);
        await JsonAssert.ErrorAsync(response, HttpStatusCode.UnprocessableEntity, ("validation", "subject_id", ForeignSubject));
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
        await JsonAssert.ResponseAsync(await app.ListAsync("subject_type=Workspace"), HttpStatusCode.OK, Expected.List(mine));
    }

    [Theory, AllDatabases]
    public async Task Each_account_lists_only_its_own_rows_even_with_the_same_key(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var mine = await app.CreateRefAsync(new Ref { SubjectType = "Story", SubjectId = 200, ServiceName = "jira" });
        app.Tick();
        var theirs = await app.CreateRefAsync(new Ref { SubjectType = "Story", SubjectId = 901, ServiceName = "jira" }, XrefApp.OtherWrite);
        await JsonAssert.ResponseAsync(await app.ListAsync("subject_type=Story"), HttpStatusCode.OK, Expected.List(mine));
        await JsonAssert.ResponseAsync(await app.ListAsync("subject_type=Story", XrefApp.OtherWrite), HttpStatusCode.OK, Expected.List(theirs));
        await JsonAssert.ResponseAsync(await app.ListAsync("subject_type=Story&service_name=jira&subject_id=901"), HttpStatusCode.OK, Expected.EmptyList);
        // Account 1 cannot delete account 2's reference either.
        await AssertNotFoundAsync(await app.Client().DeleteAsync($"/api/v1/external_references/{theirs.Id}"));
        Assert.Equal(2, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
    }

    [Theory, AllDatabases]
    public async Task Include_subject_never_shows_another_accounts_subject(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var own = await app.CreateRefAsync(new Ref { SubjectId = 100 });
        // A reference of account 1 that points at account 2's Workspace 900 (only possible through the database).
        await app.ExecuteSqlAsync("""
            INSERT INTO external_references (account_id, subject_type, subject_id, service_name, service_model, service_model_ref,
                status, locked, created_at, updated_at, last_synced_at)
            VALUES (1, 'Workspace', 900, 'jira', 'issue', 'X', 'pending', FALSE, @t, @t, @t)
            """, new { t = ManualClock.Start.ToUnixTimeSeconds() });
        var stray = new Ref { Id = own.Id + 1, SubjectId = 900, ServiceModelRef = "X", CreatedAt = ManualClock.Start, UpdatedAt = ManualClock.Start, LastSyncedAt = ManualClock.Start };
        var included = new JsonObject
        {
            ["workspaces"] = JsonNode.Parse("""
                {"100": {"title": "Website relaunch", "description": "New site", "archived": false,
                         "created_at": "2026-11-22T14:15:20Z", "updated_at": "2026-11-22T14:15:20Z", "creator_id": "10", "id": "100"}}
                """),
        };
        var response = await app.ListAsync("subject_type=Workspace&include=subject");
        await JsonAssert.ResponseAsync(response, HttpStatusCode.OK,
            Expected.ListWith(included, own.WithSubject("workspaces"), stray.WithSubject("workspaces")));
        Assert.DoesNotContain("Globex secret", await response.Content.ReadAsStringAsync());
    }

    [Theory, AllDatabases]
    public async Task A_read_token_lists_but_cannot_write(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var r = await app.CreateRefAsync(new Ref());
        var read = app.Client(XrefApp.AcmeRead);
        await JsonAssert.ResponseAsync(await app.ListAsync("subject_type=Workspace", XrefApp.AcmeRead), HttpStatusCode.OK, Expected.List(r));

        await JsonAssert.ResponseAsync(await read.PostJson(Expected.UpsertUrl, new Ref { ServiceName = "other" }.RequestJson()), HttpStatusCode.Forbidden, Expected.ReadOnly);
        await JsonAssert.ResponseAsync(await read.DeleteAsync($"/api/v1/external_references/{r.Id}"), HttpStatusCode.Forbidden, Expected.ReadOnly);
        // Scope is checked before the body and before the record.
        await JsonAssert.ResponseAsync(await read.PostAsync(Expected.UpsertUrl, new StringContent("hello")), HttpStatusCode.Forbidden, Expected.ReadOnly);
        await JsonAssert.ResponseAsync(await read.PostJson(Expected.UpsertUrl, "{not json"), HttpStatusCode.Forbidden, Expected.ReadOnly);
        await JsonAssert.ResponseAsync(await read.DeleteAsync("/api/v1/external_references/999"), HttpStatusCode.Forbidden, Expected.ReadOnly);
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
    }

    [Theory, AllDatabases]
    public async Task Missing_or_bad_tokens_are_401(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        await app.CreateRefAsync(new Ref());
        var clients = new List<HttpClient> { app.Client(null), app.Client("nope"), app.Client("acme-write-token-x"), app.Client("ACME-WRITE-TOKEN") };
        var basic = app.Client(null);
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "YWNtZS13cml0ZS10b2tlbjo=");
        clients.Add(basic);
        var tokenScheme = app.Client(null);
        tokenScheme.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Token acme-write-token");
        clients.Add(tokenScheme);
        var bare = app.Client(null);
        bare.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "acme-write-token");
        clients.Add(bare);
        foreach (var client in clients)
        {
            await JsonAssert.ResponseAsync(await client.GetAsync(Expected.ListUrl + "?subject_type=Workspace"), HttpStatusCode.Unauthorized, Expected.Unauthorized);
            // The token is checked before the parameters, the body and the record.
            await JsonAssert.ResponseAsync(await client.GetAsync(Expected.ListUrl), HttpStatusCode.Unauthorized, Expected.Unauthorized);
            await JsonAssert.ResponseAsync(await client.PostJson(Expected.UpsertUrl, new Ref { ServiceName = "x" }.RequestJson()), HttpStatusCode.Unauthorized, Expected.Unauthorized);
            await JsonAssert.ResponseAsync(await client.PostAsync(Expected.UpsertUrl, new StringContent("hello")), HttpStatusCode.Unauthorized, Expected.Unauthorized);
            await JsonAssert.ResponseAsync(await client.DeleteAsync("/api/v1/external_references/1"), HttpStatusCode.Unauthorized, Expected.Unauthorized);
        }
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
        // "bearer" in any case is the same scheme.
        var lower = app.Client(null);
        lower.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "bearer acme-read-token");
        Assert.Equal(HttpStatusCode.OK, (await lower.GetAsync(Expected.ListUrl + "?subject_type=Workspace")).StatusCode);
    }

    [Theory, AllDatabases]
    public async Task Unknown_routes_and_methods_are_404_record_not_found(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var r = await app.CreateRefAsync(new Ref());
        foreach (var token in new[] { XrefApp.AcmeWrite, null })
        {
            var client = app.Client(token);
            // The route is checked first: an unknown route is 404 even without a token.
            await AssertNotFoundAsync(await client.GetAsync("/api/v1/nope"));
            await AssertNotFoundAsync(await client.GetAsync("/nope"));
            await AssertNotFoundAsync(await client.GetAsync("/api/v2/external_references?subject_type=Workspace"));
            await AssertNotFoundAsync(await client.GetAsync("/api/v1/external_references/1?subject_type=Workspace"));
            await AssertNotFoundAsync(await client.GetAsync("/api/v1/external_references/create_or_update"));
            await AssertNotFoundAsync(await client.PostJson("/api/v1/external_references", new Ref { ServiceName = "p" }.RequestJson()));
            await AssertNotFoundAsync(await client.PutAsync($"/api/v1/external_references/{r.Id}", Requests.Json("{}")));
            await AssertNotFoundAsync(await client.PatchAsync($"/api/v1/external_references/{r.Id}", Requests.Json("{}")));
            await AssertNotFoundAsync(await client.PatchAsync("/api/v1/external_references/create_or_update", Requests.Json(new Ref { ServiceName = "q" }.RequestJson())));
            await AssertNotFoundAsync(await client.DeleteAsync("/api/v1/external_references"));
            await AssertNotFoundAsync(await client.DeleteAsync("/api/v1/external_references/create_or_update/1"));
            await AssertNotFoundAsync(await client.GetAsync("/api/v1/external_references.xml?subject_type=Workspace"));
            // The suffix is for /api/v1/ routes only.
            await AssertNotFoundAsync(await client.GetAsync("/health.json"));
        }
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
    }

    [Theory, AllDatabases]
    public async Task Json_suffix_trailing_slash_and_repeated_slashes_route_the_same(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var r = await app.CreateRefAsync(new Ref());
        var client = app.Client();
        string[] lists =
        [
            "/api/v1/external_references.json", "/api/v1/external_references/", "/api/v1/external_references.json/",
            "//api//v1///external_references", "/api/v1//external_references//", "/api/v1/external_references///",
        ];
        foreach (var path in lists)
            await JsonAssert.ResponseAsync(await client.GetAsync(Absolute(path + "?subject_type=Workspace")), HttpStatusCode.OK, Expected.List(r));

        app.Tick();
        foreach (var path in new[] { "/api/v1/external_references/create_or_update/", "//api/v1//external_references/create_or_update.json" })
        {
            var response = await client.PostAsync(Absolute(path), Requests.Json(r.RequestJson()));
            r = r with { UpdatedAt = app.Clock.Now, LastSyncedAt = app.Clock.Now };
            await JsonAssert.ResponseAsync(response, HttpStatusCode.OK, Expected.Single(r));
        }
        await AssertEmptyBodyAsync(await client.DeleteAsync(Absolute($"//api/v1/external_references//{r.Id}.json")), HttpStatusCode.NoContent);
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
        await JsonAssert.ResponseAsync(await app.Client(null).GetAsync("/health/"), HttpStatusCode.OK, """{"status":"ok"}""");
    }

    [Theory, AllDatabases]
    public async Task Every_response_carries_a_request_id(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        var request = new HttpRequestMessage(HttpMethod.Get, Expected.ListUrl + "?subject_type=Workspace");
        request.Headers.Add("X-Request-Id", "trace-abc-123");
        var echoed = await client.SendAsync(request);
        await JsonAssert.ResponseAsync(echoed, HttpStatusCode.OK, Expected.EmptyList);
        Assert.Equal("trace-abc-123", Assert.Single(echoed.Headers.GetValues("X-Request-Id")));

        var errorRequest = new HttpRequestMessage(HttpMethod.Get, "/api/v1/nope");
        errorRequest.Headers.Add("X-Request-Id", "trace-404");
        var notFound = await app.Client(null).SendAsync(errorRequest);
        await AssertNotFoundAsync(notFound);
        Assert.Equal("trace-404", Assert.Single(notFound.Headers.GetValues("X-Request-Id")));

        var generated = new List<string>();
        foreach (var response in new[]
                 {
                     await client.GetAsync(Expected.ListUrl + "?subject_type=Workspace"),
                     await client.GetAsync(Expected.ListUrl + "?subject_type=Workspace"),
                     await app.Client(null).GetAsync(Expected.ListUrl + "?subject_type=Workspace"),
                     await client.PostJson(Expected.UpsertUrl, "{"),
                     await app.Client(null).GetAsync("/health"),
                 })
        {
            var id = Assert.Single(response.Headers.GetValues("X-Request-Id"));
            Assert.False(string.IsNullOrWhiteSpace(id));
            generated.Add(id);
        }
        Assert.Equal(generated.Count, generated.Distinct().Count());
    }

    [Theory, AllDatabases]
    public async Task Error_responses_are_json_with_charset(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        foreach (var response in new[]
                 {
                     await app.Client(null).GetAsync(Expected.ListUrl + "?subject_type=Workspace"),
                     await app.Client().GetAsync("/api/v1/nope"),
                     await app.Client().GetAsync(Expected.ListUrl),
                     await app.Client(XrefApp.AcmeRead).DeleteAsync("/api/v1/external_references/1"),
                     await app.Client().DeleteAsync("/api/v1/external_references/1"),
                 })
            Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
    }
}
