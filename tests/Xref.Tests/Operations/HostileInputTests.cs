using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Xref.Auth;
using Xref.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Xref.Tests.Operations;

/// <summary>
/// Bounds on what a hostile client can make the server do: form bodies (depth, width, key length, raw bytes),
/// error lists, <c>only=</c>, failed authentications and anonymous endpoints per client address, subjects
/// namespaced per account, the SQLite file's permissions, and seeds that change a token. Every refused request
/// answers the contract's error shape and changes nothing.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output)
{
    private const string Upsert = "/api/v1/external_references/create_or_update";
    private const string FormType = "application/x-www-form-urlencoded";

    /// <summary>The five required fields of a create_or_update on Workspace 100, as form pairs.</summary>
    private const string ValidFormFields =
        "external_reference[subject_type]=Workspace&external_reference[subject_id]=100&external_reference[service_name]=jira"
        + "&external_reference[service_model]=issue&external_reference[service_model_ref]=W-1";

    // ---------------------------------------------------------------- A. Rails form bodies

    private static string DeepKey(int levels) => "external_reference" + string.Concat(Enumerable.Repeat("[a]", levels));

    [Theory, AllDatabases]
    public async Task A_form_key_nested_30000_levels_deep_is_refused_at_once_and_the_server_stays_up(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        // Warm the form path up, so the time measured is the parse, not the JIT.
        await client.PostForm(Upsert, DeepKey(2) + "=v");
        var before = await DatabaseDump.TakeAsync(app);

        var body = DeepKey(30_000) + "=v";
        var watch = Stopwatch.StartNew();
        var response = await client.PostForm(Upsert, body);
        var text = await response.Content.ReadAsStringAsync();
        watch.Stop();

        AssertOneError(response, text, HttpStatusCode.BadRequest, "system", null, "32 levels");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"a 30,000-level key took {watch.Elapsed.TotalMilliseconds:F0} ms to refuse");
        Assert.Equal(HttpStatusCode.OK, (await app.Client(null).GetAsync("/health")).StatusCode);
        // The server keeps serving the API too.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/external_references?subject_type=Workspace")).StatusCode);
        Assert.Equal(before, await DatabaseDump.TakeAsync(app));
    }

    [Theory, AllDatabases]
    public async Task A_form_key_deeper_than_32_levels_is_refused_and_32_is_not(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        var before = await DatabaseDump.TakeAsync(app);

        // 33 bracket levels: refused for depth, also when the rest of the body is a valid create.
        foreach (var body in new[] { DeepKey(33) + "=v", ValidFormFields + "&" + DeepKey(33) + "=v", DeepKey(33) + "=v&" + ValidFormFields })
        {
            var response = await client.PostForm(Upsert, body);
            AssertOneError(response, await response.Content.ReadAsStringAsync(), HttpStatusCode.BadRequest, "system", null, "32 levels");
        }
        Assert.Equal(before, await DatabaseDump.TakeAsync(app));

        // 32 levels are allowed: the nested unknown attribute is ignored, so this is a 422 for the missing fields...
        var at32 = await client.PostForm(Upsert, DeepKey(32) + "=v");
        var at32Body = await at32.Content.ReadAsStringAsync();
        Assert.False(IsDepthError(at32Body), $"32 levels were refused for depth: {Short(at32Body)}");
        Assert.True(at32.StatusCode == HttpStatusCode.UnprocessableEntity, $"Expected 422, got {(int)at32.StatusCode}: {Short(at32Body)}");
        Assert.Equal(before, await DatabaseDump.TakeAsync(app));
        // ...and a 200 beside the valid fields.
        var valid = await client.PostForm(Upsert, ValidFormFields + "&" + DeepKey(32) + "=v");
        var validBody = await valid.Content.ReadAsStringAsync();
        Assert.False(IsDepthError(validBody), $"32 levels were refused for depth: {Short(validBody)}");
        Assert.True(valid.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)valid.StatusCode}: {Short(validBody)}");
    }

    private static bool IsDepthError(string body) => body.Contains("32 levels", StringComparison.Ordinal);

    [Theory, AllDatabases]
    public async Task A_form_body_with_more_than_4096_fields_is_refused(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        var before = await DatabaseDump.TakeAsync(app);
        static string Fields(int n) => string.Join("&", Enumerable.Range(0, n).Select(i => $"external_reference[f{i}]=v"));

        var over = await client.PostForm(Upsert, Fields(4_097));
        AssertOneError(over, await over.Content.ReadAsStringAsync(), HttpStatusCode.BadRequest, "system", null, "4096");
        // Far more pairs than the limit: the same answer (and the parse stops at the limit).
        var far = await client.PostForm(Upsert, string.Join("&", Enumerable.Repeat("a=1", 200_000)));
        AssertOneError(far, await far.Content.ReadAsStringAsync(), HttpStatusCode.BadRequest, "system", null, "4096");
        Assert.Equal(before, await DatabaseDump.TakeAsync(app));

        // 4,096 fields in all (4,091 unknown ones beside the five required) is not refused for its width.
        var atLimit = await client.PostForm(Upsert, ValidFormFields + "&" + Fields(4_091));
        var atLimitBody = await atLimit.Content.ReadAsStringAsync();
        Assert.DoesNotContain("4096", atLimitBody);
        Assert.True(atLimit.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)atLimit.StatusCode}: {Short(atLimitBody)}");
    }

    [Theory, AllDatabases]
    public async Task A_form_field_name_longer_than_1024_characters_is_refused(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        var before = await DatabaseDump.TakeAsync(app);
        static string KeyOfLength(int length) => "external_reference[" + new string('x', length - "external_reference[]".Length) + "]";
        Assert.Equal(1_025, KeyOfLength(1_025).Length);

        foreach (var body in new[] { KeyOfLength(1_025) + "=v", ValidFormFields + "&" + KeyOfLength(1_025) + "=v", KeyOfLength(100_000) })
        {
            var response = await client.PostForm(Upsert, body);
            AssertOneError(response, await response.Content.ReadAsStringAsync(), HttpStatusCode.BadRequest, "system", null, "1024");
        }
        Assert.Equal(before, await DatabaseDump.TakeAsync(app));

        var atLimit = await client.PostForm(Upsert, ValidFormFields + "&" + KeyOfLength(1_024) + "=v");
        var atLimitBody = await atLimit.Content.ReadAsStringAsync();
        Assert.DoesNotContain("1024", atLimitBody);
        Assert.True(atLimit.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)atLimit.StatusCode}: {Short(atLimitBody)}");
    }

    [Theory, AllDatabases]
    public async Task Raw_utf8_in_a_form_value_is_stored_exactly_as_the_same_value_sent_in_json(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        var raw = Encoding.UTF8.GetBytes(ValidFormFields + "&external_reference[external_message]=café-€");
        Assert.Contains((byte)0xC3, raw); // really raw, not percent-encoded
        var form = await client.PostAsync(Upsert, Bytes(raw, FormType));
        Assert.True(form.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)form.StatusCode}: {await form.Content.ReadAsStringAsync()}");

        var json = await client.PostJson(Upsert, """
            {"external_reference": {"subject_type": "Workspace", "subject_id": 101, "service_name": "jira", "service_model": "issue", "service_model_ref": "W-1", "external_message": "café-€"}}
            """);
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);

        var list = await JsonAssert.StatusAsync(await client.GetAsync("/api/v1/external_references?subject_type=Workspace"), HttpStatusCode.OK);
        var bySubject = list["external_references"]!.AsObject().Select(kv => kv.Value!).ToDictionary(r => r["subject_id"]!.GetValue<long>());
        Assert.Equal("café-€", bySubject[100]["external_message"]!.GetValue<string>());
        Assert.Equal(bySubject[101]["external_message"]!.GetValue<string>(), bySubject[100]["external_message"]!.GetValue<string>());
    }

    [Theory, AllDatabases]
    public async Task Invalid_utf8_in_a_form_body_is_refused_and_writes_nothing(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        var before = await DatabaseDump.TakeAsync(app);
        byte[][] bodies =
        [
            [.. Encoding.ASCII.GetBytes(ValidFormFields + "&external_reference[external_message]=caf"), 0xC3, 0x28],     // raw, in a value
            [.. Encoding.ASCII.GetBytes(ValidFormFields + "&external_reference[external_message]=a"), 0xFF, 0xFE, 0x41], // raw, never valid
            [.. Encoding.ASCII.GetBytes(ValidFormFields + "&external_reference[ext"), 0xC3, 0x28, .. "]=v"u8],           // raw, in a key
            Encoding.ASCII.GetBytes(ValidFormFields + "&external_reference[external_message]=caf%C3%28"),            // percent-encoded
            [.. Encoding.ASCII.GetBytes(ValidFormFields + "&external_reference[external_message]="), 0xED, 0xA0, 0x80], // a UTF-16 surrogate
        ];
        foreach (var body in bodies)
        {
            var response = await client.PostAsync(Upsert, Bytes(body, FormType));
            AssertOneError(response, await response.Content.ReadAsStringAsync(), HttpStatusCode.BadRequest, "system", null, "UTF-8");
        }
        Assert.Equal(before, await DatabaseDump.TakeAsync(app));
    }

    // ---------------------------------------------------------------- B. Error lists are capped

    private static string Detail(int i) => $$"""{"category": "Mood{{i}}", "color": "blue"}""";

    [Theory, AllDatabases]
    public async Task More_than_four_details_are_one_error_on_details(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        var before = await DatabaseDump.TakeAsync(app);

        foreach (var count in new[] { 5, 6, 50 })
        {
            var details = string.Join(", ", Enumerable.Range(0, count).Select(Detail));
            // With a valid report: the cap is the only error.
            var alone = await client.PostJson("/api/v1/status_reports",
                $$$"""{"status_report": {"workspace_id": 100, "color": "green", "description": "x", "details": [{{{details}}}]}}""");
            AssertOneError(alone, await alone.Content.ReadAsStringAsync(), HttpStatusCode.UnprocessableEntity, "validation", "details", "at most 4");

            // With another bad field: that one, plus one entry for the whole of details, none per item.
            var withColor = await client.PostJson("/api/v1/status_reports",
                $$$"""{"status_report": {"workspace_id": 100, "color": "purple", "description": "x", "details": [{{{details}}}]}}""");
            var errors = AssertErrors(withColor, await withColor.Content.ReadAsStringAsync(), HttpStatusCode.UnprocessableEntity);
            Assert.Equal(2, errors.Count);
            AssertEntry(Assert.Single(errors, e => e["field"]?.GetValue<string>() == "color"), "validation", "color", "");
            AssertEntry(Assert.Single(errors, e => e["field"]?.GetValue<string>() == "details"), "validation", "details", "at most 4");

            // The same as a Rails form body.
            var form = "status_report[workspace_id]=100&status_report[color]=green&status_report[description]=x"
                + string.Concat(Enumerable.Range(0, count).Select(i => $"&status_report[details][][category]=Mood{i}&status_report[details][][color]=blue"));
            var formResponse = await client.PostForm("/api/v1/status_reports", form);
            AssertOneError(formResponse, await formResponse.Content.ReadAsStringAsync(), HttpStatusCode.UnprocessableEntity, "validation", "details", "at most 4");
        }

        // An update is capped the same way.
        var created = await client.PostJson("/api/v1/status_reports", """{"status_report": {"workspace_id": 100, "color": "green", "description": "x"}}""");
        var id = (await JsonAssert.StatusAsync(created, HttpStatusCode.OK))["results"]![0]!["id"]!.GetValue<string>();
        var afterCreate = await DatabaseDump.TakeAsync(app);
        var update = await client.PutAsync($"/api/v1/status_reports/{id}", Requests.Json(
            $$$"""{"status_report": {"details": [{{{string.Join(", ", Enumerable.Range(0, 5).Select(Detail))}}}]}}"""));
        AssertOneError(update, await update.Content.ReadAsStringAsync(), HttpStatusCode.UnprocessableEntity, "validation", "details", "at most 4");
        Assert.Equal(afterCreate, await DatabaseDump.TakeAsync(app));
        Assert.NotEqual(before, afterCreate);
    }

    [Theory, AllDatabases]
    public async Task Four_details_are_still_checked_one_by_one(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var before = await DatabaseDump.TakeAsync(app);
        var response = await app.Client().PostJson("/api/v1/status_reports",
            $$$"""{"status_report": {"workspace_id": 100, "color": "green", "description": "x", "details": [{{{string.Join(", ", Enumerable.Range(0, 4).Select(Detail))}}}]}}""");
        var errors = AssertErrors(response, await response.Content.ReadAsStringAsync(), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(
            Enumerable.Range(0, 4).SelectMany(i => new[] { $"details[{i}].category", $"details[{i}].color" }).Order(StringComparer.Ordinal),
            errors.Select(e => e["field"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(before, await DatabaseDump.TakeAsync(app));
    }

    [Theory, AllDatabases]
    public async Task A_details_array_of_100000_items_is_refused_fast_with_a_short_answer(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        static string Body(int items) =>
            """{"status_report": {"workspace_id": 100, "color": "green", "description": "x", "details": ["""
            + string.Join(",", Enumerable.Repeat("""{"abc":1}""", items)) + "]}}";
        // Warm the path up.
        await client.PostJson("/api/v1/status_reports", Body(5));
        var before = await DatabaseDump.TakeAsync(app);

        var body = Body(100_000);
        Assert.InRange(Encoding.UTF8.GetByteCount(body), 900_000, 1_048_576); // about 1 MiB, within the body limit
        var watch = Stopwatch.StartNew();
        var response = await client.PostJson("/api/v1/status_reports", body);
        var text = await response.Content.ReadAsStringAsync();
        watch.Stop();

        AssertOneError(response, text, HttpStatusCode.UnprocessableEntity, "validation", "details", "at most 4");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"100,000 details took {watch.Elapsed.TotalMilliseconds:F0} ms to refuse");
        Assert.True(Encoding.UTF8.GetByteCount(text) < 10_000, $"the answer is {Encoding.UTF8.GetByteCount(text)} bytes");
        Assert.Equal(before, await DatabaseDump.TakeAsync(app));
    }

    // ---------------------------------------------------------------- C. only= is capped at 1,000 ids

    [Theory, AllDatabases]
    public async Task Only_takes_at_most_1000_ids(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        await app.CreateRefAsync(new Ref());
        var before = await DatabaseDump.TakeAsync(app);
        var ids1000 = string.Join(",", Enumerable.Range(1, 1_000));
        var ids1001 = string.Join(",", Enumerable.Range(1, 1_001));
        var ids5000 = string.Join(",", Enumerable.Range(1, 5_000));

        foreach (var path in new[] { "/api/v1/external_references?subject_type=Workspace&", "/api/v1/status_reports?" })
        {
            foreach (var ids in new[] { ids1001, ids5000, "1001," + ids1000 })
            {
                var response = await client.GetAsync(path + "only=" + ids);
                AssertOneError(response, await response.Content.ReadAsStringAsync(), HttpStatusCode.BadRequest, "validation", "only", "1000");
            }
            var ok = await client.GetAsync(path + "only=" + ids1000);
            var okBody = await ok.Content.ReadAsStringAsync();
            Assert.True(ok.StatusCode == HttpStatusCode.OK, $"{path}: 1,000 ids: expected 200, got {(int)ok.StatusCode}: {Short(okBody)}");
        }
        // The reference (id 1) is found among 1,000 ids.
        var found = await JsonAssert.StatusAsync(await client.GetAsync("/api/v1/external_references?subject_type=Workspace&only=" + ids1000), HttpStatusCode.OK);
        Assert.Equal(1, found["count"]!.GetValue<long>());
        Assert.Equal(before, await DatabaseDump.TakeAsync(app));
    }

    // ---------------------------------------------------------------- D. Failed authentications per client address

    [Theory, AllDatabases]
    public async Task Failed_authentications_are_limited_per_client_address(string db)
    {
        await using var app = await XrefApp.StartAsync(db, settings: new() { ["rate-limit"] = "50/200" });
        // A valid token used once first, so that it is cached when the address gets limited.
        var valid = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await valid.GetAsync("/api/v1/external_references?subject_type=Workspace")).StatusCode);
        var before = await DatabaseDump.TakeAsync(app);

        // 30 guesses as fast as they go, then 30 more 25 ms apart (an attacker need not hurry; a limiter that
        // refills in the background must still hold them to a few a second), with the valid token used meanwhile.
        var statuses = new List<int>();
        var validStatuses = new List<int>();
        var clock = Stopwatch.StartNew();
        TimeSpan? limitedAt = null;
        for (var i = 0; i < 60; i++)
        {
            if (i >= 30)
            {
                await Task.Delay(25);
                if (i % 5 == 0) validStatuses.Add((int)(await valid.GetAsync("/api/v1/external_references?subject_type=Workspace")).StatusCode);
            }
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/external_references?subject_type=Workspace");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", $"unknown-token-{i}-{Guid.NewGuid():N}");
            using var response = await app.Client(null).SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            statuses.Add((int)response.StatusCode);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
                JsonAssert.Equal(Expected.Unauthorized, body);
            else if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limitedAt ??= clock.Elapsed;
                Assert.True(response.Headers.RetryAfter?.Delta is { } delta && delta > TimeSpan.Zero, $"429 #{i} without a Retry-After delay");
                AssertOneError(response, body, HttpStatusCode.TooManyRequests, "system", null, "failed authentications");
            }
            else Assert.Fail($"request #{i} with an unknown token answered {(int)response.StatusCode}: {Short(body)}");
        }
        var limitedFor = clock.Elapsed - (limitedAt ?? clock.Elapsed);
        output.WriteLine($"statuses of 60 unknown tokens in {clock.Elapsed.TotalMilliseconds:F0} ms: {string.Join(" ", statuses)}");
        output.WriteLine($"the valid token meanwhile: {string.Join(" ", validStatuses)}");
        Assert.Equal(401, statuses[0]);
        var firstLimited = statuses.IndexOf(429);
        Assert.True(firstLimited is > 0 and <= 30, $"the first 429 came after {firstLimited} failures (at most 30 expected): {string.Join(" ", statuses)}");
        // From then on 429, but for the few guesses a second a refilling limit lets through (5 a second allowed here).
        var through = statuses.Skip(firstLimited).Count(s => s != 429);
        Assert.True(through <= 1 + 5 * limitedFor.TotalSeconds,
            $"{through} unknown tokens were looked up in the {limitedFor.TotalMilliseconds:F0} ms after the limit: {string.Join(" ", statuses)}");

        // Documented, not prescribed: what a valid token from the same address gets while the address is limited.
        Assert.All(validStatuses, s => Assert.True(s is 200 or 429, $"valid token meanwhile: {s}"));
        var after = await valid.GetAsync("/api/v1/external_references?subject_type=Workspace");
        var afterBody = await after.Content.ReadAsStringAsync();
        output.WriteLine($"valid token from the same address after the limit: {(int)after.StatusCode} {Short(afterBody)}");
        Assert.True(after.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"valid token: {(int)after.StatusCode}: {Short(afterBody)}");
        Assert.Equal(before, await DatabaseDump.TakeAsync(app));
    }

    // ---------------------------------------------------------------- E. Subjects are namespaced per account

    private static readonly string AcmeAutoSubjectsSeed = Replaced(XrefApp.StandardSeed,
        "\"name\": \"Acme Consulting\",", "\"name\": \"Acme Consulting\", \"auto_subjects\": true,");

    private static string UpsertOn(long workspace, string serviceModelRef = "W-1") => $$$"""
        {"external_reference": {"subject_type": "Workspace", "subject_id": {{{workspace}}}, "service_name": "jira", "service_model": "issue", "service_model_ref": "{{{serviceModelRef}}}"}}
        """;

    [Theory, AllDatabases]
    public async Task Another_accounts_subject_id_answers_as_an_unused_id_does_with_auto_subjects(string db)
    {
        await using var app = await XrefApp.StartAsync(db, AcmeAutoSubjectsSeed);
        var acme = app.Client();
        var globexBefore = AccountRows(await DatabaseDump.TakeAsync(app), 2);
        Assert.Contains("Globex secret", globexBefore);

        var on900 = await JsonAssert.StatusAsync(await acme.PostJson(Upsert + "?include=subject", UpsertOn(900)), HttpStatusCode.OK);
        var on5000 = await JsonAssert.StatusAsync(await acme.PostJson(Upsert + "?include=subject", UpsertOn(5000)), HttpStatusCode.OK);
        Assert.DoesNotContain("Globex secret", on900.ToJsonString());
        // The same answer but for the ids: account 1 got a Workspace 900 of its own, as it got a Workspace 5000.
        JsonAssert.Equal(Normalized(on5000, 5000), Normalized(on900, 900));

        // Account 2's Workspace 900 is untouched, and it still sees its own.
        Assert.Equal(globexBefore, AccountRows(await DatabaseDump.TakeAsync(app), 2));
        var globex = await JsonAssert.StatusAsync(await app.Client(XrefApp.OtherWrite).PostJson(Upsert + "?include=subject", UpsertOn(900, "G-1")), HttpStatusCode.OK);
        Assert.Equal("Globex secret", globex["workspaces"]!["900"]!["title"]!.GetValue<string>());

        // Account 1's listing, with subjects, never shows account 2's.
        var list = await acme.GetAsync("/api/v1/external_references?subject_type=Workspace&include=subject");
        var listBody = (await JsonAssert.StatusAsync(list, HttpStatusCode.OK)).ToJsonString();
        Assert.Equal(2, JsonNode.Parse(listBody)!["count"]!.GetValue<long>());
        Assert.DoesNotContain("Globex secret", listBody);
        Assert.DoesNotContain("G-1", listBody);
    }

    [Theory, AllDatabases]
    public async Task Another_accounts_subject_id_answers_as_an_unused_id_does_without_auto_subjects(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var acme = app.Client();
        var before = await DatabaseDump.TakeAsync(app);
        var on900 = await acme.PostJson(Upsert, UpsertOn(900));
        var on5000 = await acme.PostJson(Upsert, UpsertOn(5000));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, on900.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, on5000.StatusCode);
        var text900 = await on900.Content.ReadAsStringAsync();
        Assert.Equal((await on5000.Content.ReadAsStringAsync()).Replace("5000", "900"), text900);
        AssertOneError(on900, text900, HttpStatusCode.UnprocessableEntity, "validation", "subject_id", "does not exist in your account");

        var report900 = await acme.PostJson("/api/v1/status_reports", """{"status_report": {"workspace_id": 900, "color": "green", "description": "x"}}""");
        var report5000 = await acme.PostJson("/api/v1/status_reports", """{"status_report": {"workspace_id": 5000, "color": "green", "description": "x"}}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, report900.StatusCode);
        Assert.Equal((await report5000.Content.ReadAsStringAsync()).Replace("5000", "900"), await report900.Content.ReadAsStringAsync());
        Assert.Equal(before, await DatabaseDump.TakeAsync(app));
    }

    [Theory, AllDatabases]
    public async Task A_seed_may_give_the_same_subject_id_to_two_accounts(string db)
    {
        var seed = Replaced(XrefApp.StandardSeed,
            "\"Workspace\": [{\"id\": 900, \"title\": \"Globex secret\"}]",
            "\"Workspace\": [{\"id\": 900, \"title\": \"Globex secret\"}, {\"id\": 100, \"title\": \"Globex hundred\"}]");
        await using var app = await XrefApp.StartAsync(db, seed);

        var acme = await JsonAssert.StatusAsync(await app.Client().PostJson(Upsert + "?include=subject", UpsertOn(100, "A-100")), HttpStatusCode.OK);
        Assert.Equal("Website relaunch", acme["workspaces"]!["100"]!["title"]!.GetValue<string>());
        var globex = await JsonAssert.StatusAsync(await app.Client(XrefApp.OtherWrite).PostJson(Upsert + "?include=subject", UpsertOn(100, "G-100")), HttpStatusCode.OK);
        Assert.Equal("Globex hundred", globex["workspaces"]!["100"]!["title"]!.GetValue<string>());

        foreach (var (token, mine, theirs) in new[] { (XrefApp.AcmeRead, "Website relaunch", "Globex hundred"), (XrefApp.OtherWrite, "Globex hundred", "Website relaunch") })
        {
            var list = (await JsonAssert.StatusAsync(await app.Client(token).GetAsync("/api/v1/external_references?subject_type=Workspace&include=subject"), HttpStatusCode.OK)).ToJsonString();
            Assert.Contains(mine, list);
            Assert.DoesNotContain(theirs, list);
            Assert.Equal(1, JsonNode.Parse(list)!["count"]!.GetValue<long>());
        }
        // Status reports on Workspace 100: each account on its own.
        var report = await JsonAssert.StatusAsync(await app.Client(XrefApp.OtherWrite).PostJson("/api/v1/status_reports?include=workspace",
            """{"status_report": {"workspace_id": 100, "color": "green", "description": "x"}}"""), HttpStatusCode.OK);
        Assert.Equal("Globex hundred", report["workspaces"]!["100"]!["title"]!.GetValue<string>());
    }

    /// <summary>A create_or_update answer with the subject id and the reference id taken out, to compare two answers.</summary>
    private static string Normalized(JsonNode response, long subjectId)
    {
        var copy = JsonNode.Parse(response.ToJsonString())!.AsObject();
        var key = subjectId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var refId = copy["results"]![0]!["id"]!.GetValue<string>();
        var reference = copy["external_references"]![refId]!.AsObject();
        reference.Remove("id");
        reference["subject_id"] = 0;
        reference["service_model_ref"] = "";
        reference["subject_ref"]!["id"] = "";
        var subject = copy["workspaces"]![key]!.AsObject();
        subject["id"] = "";
        return new JsonObject { ["reference"] = reference.DeepClone(), ["subject"] = subject.DeepClone(), ["count"] = copy["count"]!.DeepClone() }.ToJsonString();
    }

    /// <summary>The rows of the dump that belong to <paramref name="account"/>.</summary>
    private static string AccountRows(string dump, int account) => string.Join("\n",
        dump.Split('\n').Where(line => line.Contains($"account_id={account} ", StringComparison.Ordinal)
                                       || line.StartsWith($"id={account} | name=", StringComparison.Ordinal)));

    // ---------------------------------------------------------------- G. The SQLite file's permissions

    [Fact]
    public async Task The_sqlite_database_file_is_readable_by_its_owner_only()
    {
        if (OperatingSystem.IsWindows()) return;
        await using var app = await XrefApp.StartAsync("sqlite");
        var path = app.TestDatabase.Url["sqlite:".Length..];
        Assert.True(File.Exists(path), path);
        var mode = File.GetUnixFileMode(path);
        Assert.True(mode == (UnixFileMode.UserRead | UnixFileMode.UserWrite), $"{path} has mode {Octal(mode)}; expected 0600");
    }

    [Fact]
    public async Task The_sqlite_wal_and_shm_files_are_readable_by_their_owner_only()
    {
        // SQLite gives its -wal and -shm files the database file's mode when it creates them; they hold the same data.
        if (OperatingSystem.IsWindows()) return;
        await using var app = await XrefApp.StartAsync("sqlite");
        await app.CreateRefAsync(new Ref());
        var path = app.TestDatabase.Url["sqlite:".Length..];
        foreach (var companion in new[] { path + "-wal", path + "-shm" }.Where(File.Exists))
        {
            var mode = File.GetUnixFileMode(companion);
            Assert.True((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                                 | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) == 0,
                $"{companion} has mode {Octal(mode)}; expected no group or other bits");
        }
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8);

    // ---------------------------------------------------------------- H. Anonymous endpoints per client address

    [Theory, AllDatabases]
    public async Task Anonymous_endpoints_are_limited_per_client_address_except_health(string db)
    {
        foreach (var path in new[] { "/ready", "/openapi/v1.json" })
        {
            // An app per endpoint, so that neither depends on whether the two share a bucket.
            await using var app = await XrefApp.StartAsync(db, settings: new() { ["rate-limit"] = "1/5" });
            var client = app.Client(null);
            var statuses = new List<int>();
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < 8; i++)
            {
                using var response = await client.GetAsync(path);
                var body = await response.Content.ReadAsStringAsync();
                statuses.Add((int)response.StatusCode);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Assert.True(response.Headers.RetryAfter?.Delta is { } delta && delta > TimeSpan.Zero, $"{path}: 429 without a Retry-After delay");
                    AssertErrors(response, body, HttpStatusCode.TooManyRequests).ForEach(e => Assert.Equal("system", e["type"]!.GetValue<string>()));
                }
                else Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} #{i}: {(int)response.StatusCode} {Short(body)}");
            }
            watch.Stop();
            output.WriteLine($"{path} ({db}): {string.Join(" ", statuses)} in {watch.Elapsed.TotalMilliseconds:F0} ms");
            Assert.True(statuses.Take(5).All(s => s == 200), $"{path}: {string.Join(" ", statuses)}");
            // 1 permit a second: only a slow run lets one more through.
            var allowed = 5 + (int)Math.Floor(watch.Elapsed.TotalSeconds);
            Assert.True(statuses.Count(s => s == 200) <= Math.Min(allowed, 7), $"{path}: not limited: {string.Join(" ", statuses)}");
            Assert.Equal(429, statuses[^1]);

            // /health is never limited.
            for (var i = 0; i < 50; i++)
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        }
    }

    // ---------------------------------------------------------------- I. Seeds apply changed token attributes


    private static HttpClient ClientOf(WebApplicationFactory<Program> server, string token)
    {
        var client = server.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }


    private static readonly string AcmeWriteIsReadSeed = Replaced(XrefApp.StandardSeed,
        """{"token": "acme-write-token", "scope": "write"}""", """{"token": "acme-write-token", "scope": "read"}""");

    [Theory, AllDatabases]
    public async Task A_seed_that_changes_a_tokens_scope_is_applied(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        Assert.Equal(HttpStatusCode.OK, (await app.Client().PostJson(Upsert, UpsertOn(100))).StatusCode);
        var readPath = await XrefApp.WriteSeedAsync(AcmeWriteIsReadSeed);
        var writePath = await XrefApp.WriteSeedAsync(XrefApp.StandardSeed);
        try
        {
            var second = app.Restart(readPath);
            Assert.Equal("read", await app.ScalarAsync<string>("SELECT scope FROM api_tokens WHERE token_hash = @hash", new { hash = Tokens.Hash(XrefApp.AcmeWrite) }));
            var client = ClientOf(second, XrefApp.AcmeWrite);
            var before = await DatabaseDump.TakeAsync(app);
            await JsonAssert.ResponseAsync(await client.PostJson(Upsert, UpsertOn(100, "W-2")), HttpStatusCode.Forbidden, Expected.ReadOnly);
            await JsonAssert.ResponseAsync(await client.DeleteAsync("/api/v1/external_references/1"), HttpStatusCode.Forbidden, Expected.ReadOnly);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/external_references?subject_type=Workspace")).StatusCode);
            Assert.Equal(before, await DatabaseDump.TakeAsync(app));

            // And back: the standard seed makes it a write token again.
            var third = app.Restart(writePath);
            Assert.Equal(HttpStatusCode.OK, (await ClientOf(third, XrefApp.AcmeWrite).PostJson(Upsert, UpsertOn(100, "W-3"))).StatusCode);
        }
        finally
        {
            File.Delete(readPath);
            File.Delete(writePath);
        }
    }

    [Theory, AllDatabases]
    public async Task A_revoked_token_listed_in_a_changed_seed_stays_revoked(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var hash = Tokens.Hash(XrefApp.AcmeWrite);
        Assert.Equal(1, await app.ExecuteSqlAsync("UPDATE api_tokens SET revoked_at = 1 WHERE token_hash = @hash", new { hash }));
        // Changed twice: the token's scope, and the account's name.
        var changed = Replaced(AcmeWriteIsReadSeed, "\"name\": \"Acme Consulting\",", "\"name\": \"Acme Renamed\",");
        var path = await XrefApp.WriteSeedAsync(changed);
        try
        {
            var second = app.Restart(path);
            Assert.Equal("Acme Renamed", await app.ScalarAsync<string>("SELECT name FROM accounts WHERE id = 1"));
            Assert.Equal(1L, await app.ScalarAsync<long?>("SELECT revoked_at FROM api_tokens WHERE token_hash = @hash", new { hash }));
            Assert.Equal(3, await Sql.CountAsync(app, "SELECT COUNT(*) FROM api_tokens"));
            var before = await DatabaseDump.TakeAsync(app);
            var client = ClientOf(second, XrefApp.AcmeWrite);
            await JsonAssert.ResponseAsync(await client.GetAsync("/api/v1/external_references?subject_type=Workspace"), HttpStatusCode.Unauthorized, Expected.Unauthorized);
            await JsonAssert.ResponseAsync(await client.PostJson(Upsert, UpsertOn(100)), HttpStatusCode.Unauthorized, Expected.Unauthorized);
            Assert.Equal(before, await DatabaseDump.TakeAsync(app));
        }
        finally
        {
            File.Delete(path);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static ByteArrayContent Bytes(byte[] bytes, string contentType) =>
        new(bytes) { Headers = { ContentType = new MediaTypeHeaderValue(contentType) } };

    private static string Replaced(string text, string from, string to)
    {
        Assert.Contains(from, text);
        return text.Replace(from, to, StringComparison.Ordinal);
    }

    private static string Short(string body) => body.Length <= 600 ? body : body[..600] + $"... ({body.Length} characters)";

    /// <summary>Asserts the status and the contract's error shape; returns the entries.</summary>
    private static List<JsonObject> AssertErrors(HttpResponseMessage response, string body, HttpStatusCode status)
    {
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {Short(body)}");
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        JsonNode? root;
        try { root = JsonNode.Parse(body); }
        catch (System.Text.Json.JsonException e) { throw new Xunit.Sdk.XunitException($"The error body is not JSON ({e.Message}): {Short(body)}"); }
        Assert.True(root is JsonObject { Count: 1 } o && o["errors"] is JsonArray { Count: > 0 }, $"Not {{\"errors\":[...]}}: {Short(body)}");
        var entries = new List<JsonObject>();
        foreach (var entry in root!["errors"]!.AsArray())
        {
            Assert.True(entry is JsonObject, $"An error entry is not an object: {Short(body)}");
            var e = entry!.AsObject();
            Assert.True(e.All(kv => kv.Key is "type" or "message" or "field"), $"An error entry has other keys: {e.ToJsonString()}");
            Assert.True(e["type"] is JsonValue t && t.TryGetValue<string>(out _), $"type is not a string: {e.ToJsonString()}");
            Assert.True(e["message"] is JsonValue m && m.TryGetValue<string>(out var text) && text.Length > 0, $"message is not a text: {e.ToJsonString()}");
            Assert.True(!e.ContainsKey("field") || e["field"] is JsonValue f && f.TryGetValue<string>(out _), $"field is not a string: {e.ToJsonString()}");
            entries.Add(e);
        }
        return entries;
    }

    /// <summary>Asserts one entry: its type, its field (absent when null) and that its message contains <paramref name="phrase"/>.</summary>
    private static void AssertEntry(JsonObject entry, string type, string? field, string phrase)
    {
        Assert.Equal(type, entry["type"]!.GetValue<string>());
        if (field is null) Assert.False(entry.ContainsKey("field"), $"Unexpected field: {entry.ToJsonString()}");
        else Assert.Equal(field, entry["field"]?.GetValue<string>());
        Assert.True(entry["message"]!.GetValue<string>().Contains(phrase, StringComparison.Ordinal),
            $"The message does not contain '{phrase}': {entry.ToJsonString()}");
    }

    /// <summary>Asserts a response with exactly one error entry.</summary>
    private static void AssertOneError(HttpResponseMessage response, string body, HttpStatusCode status, string type, string? field, string phrase)
    {
        var errors = AssertErrors(response, body, status);
        Assert.True(errors.Count == 1, $"Expected one error, got {errors.Count}: {Short(body)}");
        AssertEntry(errors[0], type, field, phrase);
    }
}
