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
public sealed class HostileInputFuzzTests
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
