using System.Text.Json.Nodes;
using Xref.Tests.Infrastructure;
using YamlDotNet.Serialization;

namespace Xref.Tests.OpenApi;

/// <summary>
/// Every operation, parameter, body field, response field, schema property and security scheme of the published
/// Kantata documents (copies in <c>tests/reference/</c>) exists in Xref's served document, except what is listed
/// below as deliberately not served, each with its reason.
/// </summary>
public sealed class KantataCoverageTests
{
    /// <summary>Kantata's User fields Xref does not serve: its users carry only their identity (contract §7).</summary>
    private static readonly Dictionary<string, string> NotServed = new()
    {
        ["User.abbreviated_timezone"] = "optional_fields are not served",
        ["User.bio"] = "optional_fields are not served",
        ["User.city"] = "optional_fields are not served",
        ["User.classification"] = "optional_fields are not served",
        ["User.country"] = "optional_fields are not served",
        ["User.last_site_activity"] = "optional_fields are not served",
        ["User.state"] = "optional_fields are not served",
        ["User.website"] = "optional_fields are not served",
        ["User.account_membership_id"] = "include=account_membership is not served",
        ["User.custom_field_value_ids"] = "include=custom_field_values is not served",
        ["User.external_reference_ids"] = "include on users is not served",
        ["User.manager_id"] = "include=manager is not served",
        ["User.role_id"] = "include=role is not served",
        ["User.skill_ids"] = "include=skills is not served",
        ["User.skill_membership_ids"] = "include=skill_memberships is not served",
        ["User.work_sample_ids"] = "include=work_samples is not served",
    };

    public static TheoryData<string> Documents() => new("kantata-external-references.openapi.yml", "kantata-status-reports.openapi.yml");

    [Theory, MemberData(nameof(Documents))]
    public async Task Every_published_operation_parameter_and_field_exists_in_xrefs_document(string file)
    {
        var kantata = ReadYaml(KantataReference.File(file));
        await using var app = await XrefApp.StartAsync("sqlite");
        var xref = JsonNode.Parse(await app.Client(null).GetStringAsync("/openapi/v1.json"))!;
        var missing = new List<string>();

        foreach (var (path, item) in kantata["paths"]!.AsObject())
            foreach (var (method, operation) in item!.AsObject())
            {
                var where = $"{method.ToUpperInvariant()} {path}";
                var ours = xref["paths"]!["/api/v1" + path]?[method];
                if (ours is null) { missing.Add($"{where}: the operation"); continue; }
                foreach (var parameter in operation!["parameters"]?.AsArray() ?? [])
                    if (!(ours["parameters"]?.AsArray() ?? []).Any(p => (string?)p!["name"] == (string?)parameter!["name"] && (string?)p!["in"] == (string?)parameter["in"]))
                        missing.Add($"{where}: {parameter!["in"]} parameter {parameter["name"]}");
                if (operation["requestBody"]?["content"]?["application/json"]?["schema"] is { } body)
                    Compare(body, ours["requestBody"]?["content"]?["application/json"]?["schema"], xref, $"{where} body", missing);
                // Kantata declares every error status on every operation; Xref declares those each operation can
                // answer (ResponseValidation holds the tests to it), so only the success statuses must agree.
                foreach (var (status, response) in operation["responses"]!.AsObject().Where(r => r.Key.StartsWith('2')))
                {
                    if (ours["responses"]?[status] is not { } answer) { missing.Add($"{where}: response {status}"); continue; }
                    if (response!["content"]?["application/json"]?["schema"] is { } schema)
                        Compare(schema, answer["content"]?["application/json"]?["schema"], xref, $"{where} {status}", missing);
                }
            }

        foreach (var (name, schema) in kantata["components"]!["schemas"]!.AsObject())
        {
            var ours = xref["components"]!["schemas"]![name];
            if (ours is null) { missing.Add($"schema {name}"); continue; }
            // Subjects other than users return the attributes their seed gave them, as given: Xref's schema for
            // such a type is open (additionalProperties), so a Kantata field is served exactly when a seed sets it.
            if (ours["additionalProperties"] is not JsonValue { } closed || closed.GetValue<bool>()) continue;
            foreach (var (property, _) in schema!["properties"]?.AsObject() ?? [])
                if (ours["properties"]?[property] is null && !NotServed.ContainsKey($"{name}.{property}"))
                    missing.Add($"schema {name}: property {property}");
        }
        foreach (var (scheme, _) in kantata["components"]!["securitySchemes"]!.AsObject())
            if (xref["components"]!["securitySchemes"]![scheme] is null) missing.Add($"security scheme {scheme}");

        Assert.True(missing.Count == 0, $"Missing from Xref's document ({missing.Count}):\n" + string.Join("\n", missing));
    }

    [Fact]
    public async Task Only_fields_xref_really_lacks_are_listed_as_not_served()
    {
        await using var app = await XrefApp.StartAsync("sqlite");
        var xref = JsonNode.Parse(await app.Client(null).GetStringAsync("/openapi/v1.json"))!;
        foreach (var entry in NotServed.Keys)
        {
            var (schema, property) = (entry.Split('.')[0], entry.Split('.')[1]);
            Assert.Null(xref["components"]!["schemas"]![schema]!["properties"]![property]);
        }
    }

    /// <summary>Every property Kantata's schema declares (through objects and array items) exists in Xref's.</summary>
    private static void Compare(JsonNode kantata, JsonNode? ours, JsonNode xref, string where, List<string> missing)
    {
        ours = Resolve(ours, xref);
        if (kantata["$ref"] is not null) return; // a component: compared with Xref's component of the same name
        if (ours is null) { missing.Add(where); return; }
        foreach (var (property, schema) in kantata["properties"]?.AsObject() ?? [])
        {
            var counterpart = Resolve(ours["properties"]?[property], xref);
            if (counterpart is null) missing.Add($"{where}: {property}");
            else Compare(schema!, counterpart, xref, $"{where}.{property}", missing);
        }
        if (kantata["items"] is { } items) Compare(items, ours["items"], xref, $"{where}[]", missing);
    }

    private static JsonNode? Resolve(JsonNode? schema, JsonNode xref) =>
        schema?["$ref"]?.GetValue<string>() is { } reference
            ? Resolve(xref["components"]!["schemas"]![reference["#/components/schemas/".Length..]], xref)
            : schema;


    /// <summary>YAML to JSON: YamlDotNet gives dictionaries, lists and strings, which is all a structural comparison needs.</summary>
    private static JsonNode ReadYaml(string path) => ToJson(new DeserializerBuilder().Build().Deserialize<object>(File.ReadAllText(path)))!;

    private static JsonNode? ToJson(object? value) => value switch
    {
        Dictionary<object, object?> map => new JsonObject(map.Select(e => KeyValuePair.Create(e.Key.ToString()!, ToJson(e.Value)))),
        List<object?> list => new JsonArray([.. list.Select(ToJson)]),
        null => null,
        _ => JsonValue.Create(value.ToString()),
    };
}
