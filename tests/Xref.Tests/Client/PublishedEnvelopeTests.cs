using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xref.Client;
using Xref.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Xref.Tests.Client;

/// <summary>
/// The client reads every response the published Kantata OX documents (tests/reference/*.yml) describe. They give
/// schemas, not sample bodies, so each 200 response's schema is instantiated: every declared property with a value of
/// its declared type, one record in every collection it lists. Each collection must come back as its own type, and
/// each error schema must become a <see cref="KantataApiException"/>.
/// </summary>
public sealed class PublishedEnvelopeTests
{
    private static readonly string Reference = KantataReference.Folder;

    public static TheoryData<string, string, string> Operations()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var file in Directory.GetFiles(Reference, "*.yml").Order())
        {
            var paths = (YamlMappingNode)Load(file)["paths"];
            foreach (var (path, operations) in paths.Children)
                foreach (var (method, _) in ((YamlMappingNode)operations).Children)
                    if (method.ToString() is "get" or "post" or "put") data.Add(Path.GetFileName(file), path.ToString(), method.ToString());
        }
        return data;
    }

    [Theory, MemberData(nameof(Operations))]
    public async Task The_200_envelope_of_each_published_operation_is_read_with_every_collection_typed(string file, string path, string method)
    {
        var document = Load(Path.Combine(Reference, file));
        var schema = Resolve(document, Node(document["paths"], path, method, "responses", "200", "content", "application/json", "schema"));
        var primary = path.Split('/', StringSplitOptions.RemoveEmptyEntries)[0];
        var body = (JsonObject)Sample(document, schema, "", primary);
        var collections = ((YamlMappingNode)Node(schema, "properties")).Children.Keys.Select(k => k.ToString())
            .Where(k => k is not ("count" or "meta" or "results")).ToList();
        var json = Encoding.UTF8.GetBytes(body.ToJsonString());

        var (records, included) = await ReadPageAsync(json, primary);
        var record = Assert.Single(records);
        Assert.Equal(1, record.Id);
        foreach (var key in collections.Where(k => k != primary))
        {
            var item = Assert.Single(included.Collection<KantataObject>(key)).Value;
            var expected = key == "external_references" ? nameof(ExternalReference)
                : SubjectTypes.ByCollectionKey.TryGetValue(key, out var type) ? type : nameof(Subject);
            Assert.Equal(expected, item.GetType().Name);
        }
        Assert.Equal(collections.Count - 1, included.CollectionKeys.Count);
    }

    [Fact]
    public async Task Every_published_error_schema_becomes_one_exception_with_its_entries()
    {
        foreach (var file in Directory.GetFiles(Reference, "*.yml"))
        {
            var document = Load(file);
            var errors = Sample(document, Resolve(document, Node(document["components"], "schemas", "Errors")), "", "errors");
            using var response = new HttpResponseMessage(HttpStatusCode.UnprocessableEntity) { Content = new StringContent(errors.ToJsonString()) };
            var exception = await KantataApiException.FromResponseAsync(response);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, exception.Status);
            var entry = Assert.Single(exception.Errors);
            Assert.Equal(("text", "text"), (entry.Type, entry.Message));
        }
    }

    private static async Task<(IReadOnlyList<KantataObject>, Included)> ReadPageAsync(byte[] json, string primary)
    {
        // The envelope reader is the client's own (internal); reached through a client over a canned response.
        var handler = new CannedHandler(json);
        var client = new KantataClient(new HttpClient(handler), new KantataClientOptions { BaseUrl = new Uri("https://api.mavenlink.com/api/v1/"), Token = "t" });
        if (primary == "external_references")
        {
            var page = await client.ExternalReferences.ListAsync(new ExternalReferenceQuery("Workspace"));
            return (page.Records, page.Included);
        }
        var reports = await client.StatusReports.ListAsync();
        return (reports.Records, reports.Included);
    }

    private sealed class CannedHandler(byte[] json) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(json) });
    }

    /// <summary>A value of the schema's type; ids and the enumerations the descriptions name get valid values.</summary>
    private static JsonNode Sample(YamlMappingNode document, YamlMappingNode schema, string name, string primary)
    {
        schema = Resolve(document, schema);
        var type = Text(schema, "type");
        if (schema.Children.ContainsKey("additionalProperties"))
        {
            var record = (JsonObject)Sample(document, (YamlMappingNode)schema["additionalProperties"], "", primary);
            record["id"] = "1";
            return new JsonObject { ["1"] = record };
        }
        if (name == "results") return new JsonArray(new JsonObject { ["key"] = primary, ["id"] = "1" });
        return type switch
        {
            "object" => new JsonObject(schema.Children.TryGetValue("properties", out var p)
                ? ((YamlMappingNode)p).Children.Select(c => KeyValuePair.Create(c.Key.ToString(), (JsonNode?)Sample(document, (YamlMappingNode)c.Value, c.Key.ToString(), primary)))
                : []),
            "array" => new JsonArray(Sample(document, (YamlMappingNode)schema["items"], name, primary)),
            "integer" => JsonValue.Create(1),
            "number" => JsonValue.Create(1.5),
            "boolean" => JsonValue.Create(true),
            _ when Text(schema, "format") == "date-time" => JsonValue.Create("2026-11-22T14:15:20Z"),
            _ => JsonValue.Create(name switch
            {
                "status" => "pending",
                "color" => "green",
                "category" => "Scope",
                _ when name == "id" || name.EndsWith("_id") || name.EndsWith("_ids") => "1",
                _ => "text",
            }),
        };
    }

    private static YamlMappingNode Resolve(YamlMappingNode document, YamlNode node)
    {
        var mapping = (YamlMappingNode)node;
        if (!mapping.Children.TryGetValue("$ref", out var reference)) return mapping;
        var parts = reference.ToString().TrimStart('#', '/').Split('/');
        return Resolve(document, Node(document, parts));
    }

    private static YamlMappingNode Node(YamlNode node, params string[] path)
    {
        foreach (var part in path) node = ((YamlMappingNode)node)[part];
        return (YamlMappingNode)node;
    }

    private static string? Text(YamlMappingNode node, string key) => node.Children.TryGetValue(key, out var value) ? value.ToString() : null;

    private static YamlMappingNode Load(string file)
    {
        var yaml = new YamlStream();
        using var reader = File.OpenText(file);
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

}
