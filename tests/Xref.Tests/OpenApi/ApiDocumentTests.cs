using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.OpenApi;

/// <summary>The served document is written for users, passes Redocly's linter, and <c>/docs</c> loads nothing from elsewhere.</summary>
public sealed partial class ApiDocumentTests
{
    private static async Task<JsonNode> DocumentAsync(XrefApp app) =>
        JsonNode.Parse(await app.Client(null).GetStringAsync("/openapi/v1.json"))!;

    [Fact]
    public async Task Every_operation_has_a_summary_an_id_a_tag_and_described_typed_parameters()
    {
        await using var app = await XrefApp.StartAsync("sqlite");
        var document = await DocumentAsync(app);
        var operations = document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => (Where: $"{o.Key} {p.Key}", Operation: o.Value!))).ToList();
        Assert.Equal(9, operations.Count); // 3 external reference operations, 5 status report ones, and PATCH beside PUT
        foreach (var (where, operation) in operations)
        {
            Assert.False(string.IsNullOrWhiteSpace((string?)operation["summary"]), where);
            Assert.DoesNotMatch(InternalNotes(), (string)operation["summary"]! + operation["description"]);
            Assert.NotNull(operation["operationId"]);
            Assert.Single(operation["tags"]!.AsArray());
            foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
            {
                Assert.False(string.IsNullOrWhiteSpace((string?)parameter!["description"]), $"{where} {parameter["name"]}");
                Assert.NotNull(parameter["schema"]!["type"]);
                Assert.DoesNotMatch(InternalNotes(), (string)parameter["description"]!);
            }
            Assert.NotNull(operation["responses"]!["401"]);
        }
        var subjectType = document["paths"]!["/api/v1/external_references"]!["get"]!["parameters"]!.AsArray().Single(p => (string?)p!["name"] == "subject_type")!;
        Assert.True((bool)subjectType["required"]!);
        Assert.Equal(33, subjectType["schema"]!["enum"]!.AsArray().Count);
        Assert.NotNull(document["paths"]!["/api/v1/external_references/{id}"]!["delete"]!["responses"]!["204"]);
        Assert.Equal("bearer", (string?)document["components"]!["securitySchemes"]!["BearerToken"]!["scheme"]);
    }

    [Fact]
    public async Task Redocly_reports_no_error()
    {
        await using var app = await XrefApp.StartAsync("sqlite");
        var file = Path.Combine(Path.GetTempPath(), $"xref-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, (await DocumentAsync(app)).ToJsonString());
        try
        {
            var start = new ProcessStartInfo(Path.Combine(GeneratedClientTests.RepositoryRoot(), "scripts", "lint-openapi.sh"), [file])
                { RedirectStandardOutput = true, RedirectStandardError = true };
            using var lint = Process.Start(start)!;
            var output = lint.StandardOutput.ReadToEndAsync();
            var error = lint.StandardError.ReadToEndAsync();
            await lint.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token);
            Assert.True(lint.ExitCode == 0, $"Redocly found errors:\n{await output}\n{await error}");
            Assert.DoesNotContain(" error ", await output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_api_reference_at_docs_is_anonymous_and_loads_nothing_from_outside_the_server()
    {
        await using var app = await XrefApp.StartAsync("sqlite");
        var client = app.Client(null);
        var redirect = await client.GetAsync("/docs");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        var page = await client.GetAsync("/docs/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();

        // Every resource the page names is relative, and served here.
        var assets = Attributes().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("scalar.js", assets);
        foreach (var asset in assets)
        {
            Assert.DoesNotMatch(Absolute(), asset);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/docs/" + asset)).StatusCode);
        }
        // The page and its start-up script name no other server; the configuration turns off what Scalar would fetch:
        // its CDN fonts, telemetry, the AI agent, MCP, and sets no request proxy.
        var startup = await client.GetStringAsync("/docs/scalar.aspnetcore.js");
        Assert.DoesNotMatch(Absolute(), html);
        Assert.DoesNotMatch(Absolute(), startup);
        Assert.Contains("\"withDefaultFonts\":false", html);
        Assert.Contains("\"telemetry\":false", html);
        Assert.Contains("\"agent\":{\"disabled\":true}", html);
        Assert.Contains("\"mcp\":{\"disabled\":true}", html);
        Assert.DoesNotContain("proxyUrl", html);
        Assert.Contains("openapi/v1.json", html);
    }

    [GeneratedRegex(@"(?:src|href)=""([^""]+)""")]
    private static partial Regex Attributes();

    /// <summary>An absolute or protocol-relative URL naming a host (<c>https://cdn.example</c>, <c>//fonts.example</c>).</summary>
    [GeneratedRegex(@"(?:https?:)?//[A-Za-z0-9-]+\.[A-Za-z]")]
    private static partial Regex Absolute();

    /// <summary>Notes for Xref's developers, not for users: seed and contract references.</summary>
    [GeneratedRegex(@"seed \d|contract §|§\d")]
    private static partial Regex InternalNotes();
}
