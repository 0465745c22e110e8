using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.Operations;

/// <summary>
/// Thousands of generated malformed requests (seeded, so every run sends the same ones): none may get a 5xx,
/// every error must have the contract's shape, and the database must be exactly as it was.
/// </summary>
public sealed class HostileInputFuzzTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Requests = 2500;

    [Theory, AllDatabases]
    public async Task Malformed_requests_get_clear_4xx_errors_and_change_nothing(string db)
    {
        await using var app = await XrefApp.StartAsync(db, settings: new() { ["rate-limit"] = "off" });
        var setup = await app.Client().PostJson("/api/v1/status_reports",
            """{"status_report": {"workspace_id": 100, "color": "green", "description": "baseline", "external_reference": {"service_name": "jira", "service_model": "m", "service_model_ref": "r"}}}""");
        Assert.Equal(HttpStatusCode.OK, setup.StatusCode);
        var before = await DatabaseDump.TakeAsync(app);
        var random = new Random(20261125);
        var client = app.Client(token: null);
        var failures = new List<string>();
        for (var i = 0; i < Requests; i++)
        {
            using var request = Generate(random);
            var description = $"#{i} {request.Method} {request.RequestUri} [{request.Content?.Headers.ContentType}]";
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode >= 500) failures.Add($"{description} -> {(int)response.StatusCode} {body}");
            else if (!response.IsSuccessStatusCode && !HasErrorShape(body)) failures.Add($"{description} -> {(int)response.StatusCode} malformed error body: {body}");
            else if (response.IsSuccessStatusCode && request.Method != HttpMethod.Get) failures.Add($"{description} -> {(int)response.StatusCode}: a write succeeded: {body}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
        Assert.Equal(before, await DatabaseDump.TakeAsync(app));
    }

    private const int HostileBodies = 600;

    /// <summary>
    /// Form bodies at and far past the parser's limits (nesting 1..100 levels, up to 5,000 pairs, keys up to 3,000
    /// characters, raw random bytes) and status reports (JSON and form) with random details arrays. Every body
    /// carries a defect no generated field can repair (it comes last, and the last value wins), so no write may succeed.
    /// </summary>
    [Theory, AllDatabases]
    public async Task Hostile_form_and_status_report_bodies_get_clear_4xx_errors_and_change_nothing(string db)
    {
        await using var app = await XrefApp.StartAsync(db, settings: new() { ["rate-limit"] = "off" });
        var setup = await app.Client().PostJson("/api/v1/status_reports",
            """{"status_report": {"workspace_id": 100, "color": "green", "description": "baseline", "details": [{"category": "Scope", "color": "red"}], "external_reference": {"service_name": "jira", "service_model": "m", "service_model_ref": "r"}}}""");
        Assert.Equal(HttpStatusCode.OK, setup.StatusCode);
        var before = await DatabaseDump.TakeAsync(app);
        var random = new Random(20261202);
        var client = app.Client(token: null);
        var failures = new List<string>();
        var statuses = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < HostileBodies; i++)
        {
            using var request = GenerateHostile(random, out var what, out var kind);
            var description = $"#{i} {what}: {request.Method} {request.RequestUri} [{request.Content?.Headers.ContentType}, {request.Content?.Headers.ContentLength} bytes]";
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var tally = $"{kind} {(int)response.StatusCode}";
            statuses[tally] = statuses.GetValueOrDefault(tally) + 1;
            var shortBody = body.Length > 400 ? body[..400] + "..." : body;
            if ((int)response.StatusCode >= 500) failures.Add($"{description} -> {(int)response.StatusCode} {shortBody}");
            else if (!response.IsSuccessStatusCode && !HasErrorShape(body)) failures.Add($"{description} -> {(int)response.StatusCode} malformed error body: {shortBody}");
            else if (response.IsSuccessStatusCode) failures.Add($"{description} -> {(int)response.StatusCode}: a write succeeded: {shortBody}");
        }
        output.WriteLine($"{HostileBodies} hostile bodies ({db}): statuses {string.Join(", ", statuses.Select(kv => $"{kv.Key}: {kv.Value}"))}");
        Assert.True(failures.Count == 0, $"{failures.Count} failures; statuses {string.Join(", ", statuses.Select(kv => $"{kv.Key}: {kv.Value}"))}\n" + string.Join("\n", failures.Take(20)));
        Assert.Equal(before, await DatabaseDump.TakeAsync(app));
    }

    private static readonly string[] ReferenceFields =
        ["subject_type", "subject_id", "service_name", "service_model", "service_model_ref", "status", "external_link", "external_status", "external_message", "locked"];

    private static readonly string[] ReportFields = ["workspace_id", "color", "description", "details", "external_reference"];

    /// <summary>One hostile write; <paramref name="what"/> names its kind for the failure message.</summary>
    private static HttpRequestMessage GenerateHostile(Random random, out string what, out string kind)
    {
        var token = random.Next(20) switch { 0 => null, 1 => "wrong-token", 2 => XrefApp.AcmeRead, _ => XrefApp.AcmeWrite };
        var (method, path, wrapper) = random.Next(3) switch
        {
            0 => (HttpMethod.Post, "/api/v1/external_references/create_or_update", "external_reference"),
            1 => (HttpMethod.Post, "/api/v1/status_reports", "status_report"),
            _ => (HttpMethod.Put, "/api/v1/status_reports/1", "status_report"),
        };
        HttpContent content;
        var choice = random.Next(9);
        kind = choice switch { 0 => "deep", 1 => "wide", 2 => "long-key", 3 => "bytes", 4 => "raw-value", 5 or 6 => "report-json", 7 => "report-form", _ => "deep-details" };
        switch (choice)
        {
            case 0:
            {
                // One key nested 1..100 levels deep, among otherwise plausible fields.
                var depth = random.Next(1, 101);
                what = $"form key {depth} levels deep";
                var key = new StringBuilder(wrapper);
                for (var level = 0; level < depth; level++)
                    key.Append(Pick(random, ["[a]", "[]", "[0]", "[details]", "[" + Pick(random, ReferenceFields) + "]", "[" + random.Next(100) + "]"]));
                content = Form(random, PlausiblePairs(random, wrapper, random.Next(0, 6)).Append(key + "=" + FormValue(random)), wrapper);
                break;
            }
            case 1:
            {
                var width = random.Next(3) == 0 ? random.Next(1, 50) : random.Next(50, 5_001);
                // Half of them well-formed pair by pair, so that those within the limit reach validation.
                var clean = random.Next(2) == 0;
                what = $"{(clean ? "clean" : "plausible")} form body of {width} pairs";
                content = Form(random, clean ? CleanPairs(random, wrapper, width) : PlausiblePairs(random, wrapper, width), wrapper);
                break;
            }
            case 2:
            {
                var length = random.Next(1, 3_001);
                what = $"form key of {length} characters";
                var name = new StringBuilder(wrapper + "[");
                while (name.Length < length - 1)
                    name.Append(Pick(random, ["x", "é", "%C3%A9", "%5B", "%5D", "[", "]", "+", "%00", "_"]));
                name.Append(']');
                content = Form(random, PlausiblePairs(random, wrapper, random.Next(0, 6)).Append(name + "=" + FormValue(random)), wrapper);
                break;
            }
            case 3:
            {
                var bytes = new byte[random.Next(1, 8_192)];
                random.NextBytes(bytes);
                what = $"{bytes.Length} random bytes as a form body";
                content = new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded") } };
                break;
            }
            case 4:
            {
                // Plausible fields with raw random bytes in a value or a key, then the defect.
                what = "form body with raw random bytes";
                var prefix = Encoding.UTF8.GetBytes(string.Join("&", PlausiblePairs(random, wrapper, random.Next(1, 8))) + "&" + wrapper + "[" + Pick(random, ReferenceFields.Concat(ReportFields).ToArray()) + (random.Next(2) == 0 ? "]=" : ""));
                var noise = new byte[random.Next(1, 64)];
                random.NextBytes(noise);
                var defect = Encoding.UTF8.GetBytes("&" + Defect(random, wrapper));
                content = new ByteArrayContent([.. prefix, .. noise, .. defect]) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded") } };
                break;
            }
            case 5 or 6:
            {
                var details = RandomDetails(random, out var count);
                what = $"status report JSON with {count} details";
                var report = new JsonObject
                {
                    ["workspace_id"] = Pick(random, new JsonNode?[] { 100, "100", 101, 900 }),
                    ["description"] = Pick(random, new JsonNode?[] { "x", "report", null }),
                    ["details"] = details,
                };
                if (random.Next(3) == 0)
                    report["external_reference"] = new JsonObject { ["service_name"] = "jira", ["service_model"] = "m", ["service_model_ref"] = "r" + random.Next(10) };
                report["color"] = Pick(random, new JsonNode?[] { "purple", "", null, 5, "GREEN", "Green", new JsonArray("green"), new JsonObject { ["color"] = "green" } });
                // Always a status report body here, whatever the path: a wrong wrapper is a defect too.
                content = new StringContent(new JsonObject { ["status_report"] = report }.ToJsonString(), Encoding.UTF8, "application/json");
                break;
            }
            case 7:
            {
                var count = random.Next(10) == 0 ? random.Next(5, 3_000) : random.Next(0, 8);
                what = $"status report form with {count} details";
                var pairs = new List<string> { "status_report[workspace_id]=" + Pick(random, ["100", "101", "900", "x"]), "status_report[description]=x" };
                for (var d = 0; d < count; d++)
                {
                    var style = random.Next(4);
                    string Name(string field) => style switch
                    {
                        0 => $"status_report[details][{d}][{field}]",
                        1 => $"status_report[details][][{field}]",
                        2 => $"status_report[details][{random.Next(5)}][{field}]",
                        _ => $"status_report[details][][{Pick(random, ["category", "color", "description", "x"])}]",
                    };
                    pairs.Add(Name("category") + "=" + Uri.EscapeDataString(Pick(random, ["Scope", "Budget", "Schedule", "Client", "Mood", ""])));
                    pairs.Add(Name("color") + "=" + Uri.EscapeDataString(Pick(random, ["green", "red", "yellow", "blue", ""])));
                    if (random.Next(2) == 0) pairs.Add(Name("description") + "=" + FormValue(random));
                }
                if (random.Next(8) == 0) pairs.Add("status_report[details][]=");
                pairs.Add(Defect(random, "status_report"));
                content = new StringContent(string.Join("&", pairs), Encoding.UTF8, "application/x-www-form-urlencoded");
                break;
            }
            default:
            {
                // Deep and wide at once, in the details array.
                var depth = random.Next(1, 60);
                what = $"details with a key {depth} levels deep";
                var pairs = PlausiblePairs(random, wrapper, random.Next(0, 4))
                    .Append("status_report[details][][category]=Scope")
                    .Append("status_report[details][]" + string.Concat(Enumerable.Repeat("[category]", depth)) + "=Budget");
                content = Form(random, pairs, wrapper);
                break;
            }
        }
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>A form body of <paramref name="pairs"/> with the defect last.</summary>
    private static HttpContent Form(Random random, IEnumerable<string> pairs, string wrapper)
    {
        var text = string.Join("&", pairs.Append(Defect(random, wrapper)));
        // With and without a charset parameter.
        return random.Next(4) == 0
            ? new ByteArrayContent(Encoding.UTF8.GetBytes(text)) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded") } }
            : new StringContent(text, Encoding.UTF8, "application/x-www-form-urlencoded");
    }

    /// <summary>
    /// A field that makes the request fail whatever else it says: an uncastable or unknown value for a required
    /// field. It is sent last, so no earlier pair of the same name can override it.
    /// </summary>
    private static string Defect(Random random, string wrapper) => wrapper == "status_report"
        ? Pick(random, ["status_report[color]=purple", "status_report[color]=", "status_report[color]=GREEN", "status_report[color][]=green", "status_report"])
        : Pick(random, ["external_reference[subject_id]=x", "external_reference[subject_type]=Nope", "external_reference[subject_id]=0",
            "external_reference[status]=bogus", "external_reference[service_name]=", "external_reference[locked]=maybe", "external_reference"]);

    private static IEnumerable<string> PlausiblePairs(Random random, string wrapper, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var field = wrapper == "status_report" ? Pick(random, ReportFields) : Pick(random, ReferenceFields);
            // Mostly names a client could send; a few that clash with each other (a 400).
            var name = random.Next(200) switch
            {
                0 => $"{wrapper}[{field}][]",
                1 => $"{wrapper}[{field}][x]",
                < 60 => $"{wrapper}[f{random.Next(100_000)}]",
                < 65 => "include",
                _ => $"{wrapper}[{field}]",
            };
            yield return name + (random.Next(15) == 0 ? "" : "=" + FormValue(random));
        }
    }

    /// <summary>Pairs that parse: unknown attributes (ignored) and known ones with castable values.</summary>
    private static IEnumerable<string> CleanPairs(Random random, string wrapper, int count)
    {
        for (var i = 0; i < count; i++)
            yield return random.Next(4) == 0
                ? $"{wrapper}[{Pick(random, wrapper == "status_report" ? ["color", "description"] : ReferenceFields)}]={Pick(random, ["Workspace", "100", "jira", "green", "true", "x", ""])}"
                : $"{wrapper}[f{random.Next(100_000)}]={Pick(random, ["", "v", "%C3%A9", "caf%C3%A9", new string('v', random.Next(1, 200))])}";
    }

    private static string FormValue(Random random) => random.Next(400) switch
    {
        // Two random percent-encoded bytes: mostly invalid UTF-8 (a 400); rare, as a wide body has thousands of values.
        0 => "%" + random.Next(256).ToString("X2") + "%" + random.Next(256).ToString("X2"),
        < 50 => "",
        < 100 => Uri.EscapeDataString(Pick(random, Nasty).Replace("\0", "")),
        < 110 => "%00",
        < 150 => new string('v', random.Next(1, 2_000)),
        < 160 => Uri.EscapeDataString("café-€ 😀"),
        _ => Pick(random, ["Workspace", "100", "jira", "issue", "W-1", "green", "Scope", "true", "0"]),
    };

    /// <summary>A random details array: mostly small, sometimes past the cap of 4, rarely enormous.</summary>
    private static JsonArray RandomDetails(Random random, out int count)
    {
        count = random.Next(40) switch
        {
            0 => random.Next(10_000, 60_000),
            < 5 => random.Next(5, 500),
            _ => random.Next(0, 7),
        };
        var details = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            details.Add(random.Next(12) switch
            {
                0 => JsonValue.Create(1),
                1 => JsonValue.Create("Scope"),
                2 => null,
                3 => new JsonArray(new JsonObject { ["category"] = "Scope" }),
                4 => new JsonObject { ["category"] = "Scope", ["color"] = "red", ["description"] = new string('d', 70_000 / Math.Max(1, count)) },
                5 => new JsonObject { ["category"] = new JsonObject(), ["color"] = new JsonArray() },
                6 => new JsonObject(),
                _ => new JsonObject
                {
                    ["category"] = Pick(random, new JsonNode?[] { "Scope", "Budget", "Schedule", "Client", "Mood", "scope", null, 3 }),
                    ["color"] = Pick(random, new JsonNode?[] { "green", "red", "yellow", "blue", null, true }),
                    ["description"] = Pick(random, new JsonNode?[] { "d", null, "", 7, "\u202e" }),
                },
            });
        }
        return details;
    }

    private static bool HasErrorShape(string body)
    {
        try
        {
            if (JsonNode.Parse(body) is not JsonObject root || root.Count != 1 || root["errors"] is not JsonArray { Count: > 0 } errors) return false;
            return errors.All(e => e is JsonObject error && error["type"] is JsonValue type && type.TryGetValue<string>(out _)
                && error["message"] is JsonValue message && message.TryGetValue<string>(out var text) && text.Length > 0);
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static readonly string[] WritePaths =
        ["/api/v1/external_references/create_or_update", "/api/v1/status_reports", "/api/v1/status_reports/1", "/api/v1/status_reports/1.json"];

    private static readonly string[] Nasty =
        ["' OR 1=1 --", "%", "_", "%%", "\\", "\"", "\0", "\u202e", "😀", "Robert'); DROP TABLE external_references;--", "NaN", "-1", "1e309",
         "99999999999999999999999", "true", "null", "[]", "{}", new string('x', 3000)];

    private static HttpRequestMessage Generate(Random random)
    {
        var token = random.Next(10) switch { 0 => null, 1 => "wrong-token", 2 => XrefApp.AcmeRead, _ => XrefApp.AcmeWrite };
        HttpRequestMessage request = random.Next(6) switch
        {
            0 => new HttpRequestMessage(HttpMethod.Get, "/api/v1/external_references?" + NastyQuery(random)),
            1 => new HttpRequestMessage(HttpMethod.Get, "/api/v1/status_reports?" + NastyQuery(random)),
            2 => new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/external_references/{Uri.EscapeDataString(Pick(random, Nasty).Replace("\0", ""))}"),
            _ => Write(random),
        };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static string NastyQuery(Random random)
    {
        string[] names = ["subject_type", "subject_id", "service_name", "status", "created_after", "updated_before", "page", "per_page",
            "limit", "offset", "only", "order", "include", "external_reference_service_model_refs", "has_external_references", "workspace_id"];
        var parts = new List<string>();
        if (random.Next(3) > 0) parts.Add("subject_type=" + Pick(random, ["Workspace", "Story", "workspace", ""]));
        for (var i = random.Next(1, 6); i > 0; i--)
            parts.Add($"{Pick(random, names)}={Uri.EscapeDataString(Pick(random, Nasty))}");
        return string.Join("&", parts);
    }

    /// <summary>A write that must fail: every generated body has at least one fatal defect.</summary>
    private static HttpRequestMessage Write(Random random)
    {
        var path = Pick(random, WritePaths);
        var method = path.Contains("/1") ? HttpMethod.Put : HttpMethod.Post;
        var wrapper = path.Contains("status_reports") ? "status_report" : "external_reference";
        HttpContent content = random.Next(10) switch
        {
            0 => Bytes(random, "application/json"),
            1 => new StringContent("{\"" + wrapper + "\": " + new string('[', random.Next(65, 400)), Encoding.UTF8, "application/json"),
            2 => new StringContent("{\"" + wrapper + "\": {\"color\": \"green\", \"color\": \"red\", \"service_name\": \"a\", \"service_name\": \"b\"}}", Encoding.UTF8, "application/json"),
            3 => new StringContent("{\"" + wrapper + "\": " + Pick(random, ["[]", "\"x\"", "1", "null", "true"]) + "}", Encoding.UTF8, "application/json"),
            4 => new StringContent("external_reference[subject_type]=Workspace", Encoding.UTF8, Pick(random, ["text/plain", "application/xml", "image/png"])),
            5 => new StringContent(Pick(random, ["a[=1", "a]]=1", "a[]b=1", "a=1&a[b]=2", "a[b]=1&a[b][c]=2", "a[]=1&a[x]=2", "%ZZ=%"]) + "&" + wrapper + "[color]=blue&" + wrapper + "[subject_id]=x",
                Encoding.UTF8, "application/x-www-form-urlencoded"),
            6 => new StringContent("", Encoding.UTF8, "application/json"),
            7 => BadFields(random, wrapper),
            8 => new ByteArrayContent([0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D]) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            _ => new StringContent(new string(' ', 1024 * 1024 + 10) + "{}", Encoding.UTF8, "application/json"),
        };
        return new HttpRequestMessage(method, path) { Content = content };
    }

    /// <summary>A well-formed body whose attributes can never all be valid (a required field is broken or a subject is foreign).</summary>
    private static StringContent BadFields(Random random, string wrapper)
    {
        var values = new[] { "null", "\"\"", "\"  \"", "{}", "[1]", "1.5", "-3", "99999999999999999999", "\"abc\"", "\"javascript:x\"", "true" };
        string Value() => Pick(random, values);
        var json = wrapper == "status_report"
            ? $$$"""{"status_report": {"workspace_id": {{{Pick(random, ["900", "\"x\"", "null", "-1"])}}}, "color": {{{Value()}}}, "description": {{{Value()}}}, "details": {{{Pick(random, ["[{\"category\": \"Mood\", \"color\": \"red\"}]", "\"no\"", "[1]"])}}}, "external_reference": {"service_name": {{{Value()}}} } }}"""
            : $$$"""{"external_reference": {"subject_type": {{{Pick(random, ["\"Workspace\"", "\"Nope\"", "null", "1"])}}}, "subject_id": {{{Pick(random, ["900", "901", "\"x\"", "0", "1.5", "null"])}}}, "service_name": {{{Value()}}}, "service_model": {{{Value()}}}, "service_model_ref": {{{Value()}}}, "status": {{{Value()}}}, "locked": {{{Value()}}}, "external_link": {{{Value()}}}, "id": 5, "created_at": "x"}}""";
        return new StringContent(json, Encoding.UTF8, Pick(random, ["application/json", "application/vnd.api+json", "application/merge-patch+json"]));
    }

    private static ByteArrayContent Bytes(Random random, string contentType)
    {
        var bytes = new byte[random.Next(1, 200)];
        random.NextBytes(bytes);
        return new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue(contentType) } };
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
