using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Xref.Tests.Infrastructure;

/// <summary>
/// Xref's own served OpenAPI document, read as a contract: for a request (method and path, after Xref's Rails
/// routing) and the status it got, the JSON Schema its body must satisfy. Each schema is built once with
/// JsonSchema.Net (OpenAPI 3.1 schemas are JSON Schema 2020-12), the document's components as its <c>$defs</c>.
/// </summary>
public sealed partial class ApiContract
{
    private readonly JsonObject document;
    private readonly List<(Regex Pattern, string Template, int Literals)> paths;
    private readonly ConcurrentDictionary<string, JsonSchema> schemas = new();
    private readonly string definitions;

    public ApiContract(string documentJson)
    {
        document = JsonNode.Parse(documentJson)!.AsObject();
        paths = [.. document["paths"]!.AsObject().Select(p => (
            new Regex("^" + Regex.Replace(Regex.Escape(p.Key), @"\\\{[^}]+}", "[^/]+") + "$"), p.Key, p.Key.Count(c => c == '/') - p.Key.Count(c => c == '{')))];
        definitions = RewriteReferences(document["components"]!["schemas"]!.ToJsonString());
    }

    /// <summary>What the document says about one answer: null when it holds, else why not.</summary>
    public string? Check(string method, string rawPath, int status, string? mediaType, byte[] body)
    {
        var path = RailsPath(rawPath);
        var template = paths.Where(p => p.Pattern.IsMatch(path)).OrderByDescending(p => p.Literals).Select(p => p.Template).FirstOrDefault();
        var operation = template is null ? null : document["paths"]![template]![method.ToLowerInvariant()];
        string pointer;
        if (operation is null)
        {
            // Routes Xref does not serve answer 404 in the error format (contract §1), outside any operation.
            if (status != 404) return $"{method} {path} is not in the document, yet it answered {status}";
            pointer = "/components/schemas/Errors";
        }
        else
        {
            var response = operation["responses"]![status.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            if (response is null)
                return $"{method} {template} answered {status}, which the document does not declare (it declares " +
                    string.Join(", ", operation["responses"]!.AsObject().Select(r => r.Key)) + ")";
            if (response["content"] is null)
                return body.Length == 0 ? null : $"{method} {template} {status} has a body, but the document declares none";
            pointer = $"/paths/{Escape(template!)}/{method.ToLowerInvariant()}/responses/{status}/content/application~1json/schema";
        }
        if (mediaType != "application/json") return $"{method} {path} {status} is {mediaType ?? "without a Content-Type"}, not application/json";
        using var json = JsonDocument.Parse(body);
        var results = Schema(pointer).Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (results.IsValid) return null;
        var problems = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"  at {d.InstanceLocation} ({d.EvaluationPath}): {e.Value}"));
        return $"{method} {path} {status}: the body does not match the document ({pointer}):\n{string.Join("\n", problems.Take(20))}";
    }

    /// <summary>The schema at <paramref name="pointer"/> in the document, with the components as <c>$defs</c>.</summary>
    public JsonSchema Schema(string pointer) => schemas.GetOrAdd(pointer, p =>
    {
        JsonNode node = document;
        foreach (var token in p.Split('/').Skip(1)) node = node[token.Replace("~1", "/").Replace("~0", "~")]!;
        var schema = JsonNode.Parse(RewriteReferences(node.ToJsonString()))!.AsObject();
        schema["$defs"] = JsonNode.Parse(definitions);
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        return JsonSchema.FromText(schema.ToJsonString(), options, new Uri($"https://xref.test/contract/{Guid.NewGuid():N}"));
    });

    /// <summary>The path as Xref routes it: repeated slashes collapsed, no trailing slash, no <c>.json</c> on /api/v1 (RequestPipeline).</summary>
    public static string RailsPath(string path)
    {
        path = RepeatedSlashes().Replace(path, "/");
        if (path.Length > 1) path = path.TrimEnd('/');
        if (path.StartsWith("/api/v1/", StringComparison.Ordinal) && path.EndsWith(".json", StringComparison.Ordinal)) path = path[..^5];
        return path;
    }

    private static string RewriteReferences(string json) => json.Replace("\"#/components/schemas/", "\"#/$defs/", StringComparison.Ordinal);

    private static string Escape(string token) => token.Replace("~", "~0").Replace("/", "~1");

    [GeneratedRegex("/{2,}")]
    private static partial Regex RepeatedSlashes();
}
