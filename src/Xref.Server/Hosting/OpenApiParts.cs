using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Xref.Wire;

namespace Xref.Hosting;

/// <summary>
/// Short constructors for the pieces of Xref's OpenAPI document (schemas, query parameters, responses), so each
/// resource's declaration (<c>*OpenApi.cs</c> beside its API class) reads as a list of what the endpoint accepts and
/// answers. Microsoft.OpenApi's object model is complete but verbose; these cover only the shapes Xref uses.
/// </summary>
public static class OpenApiParts
{
    public const string Json = "application/json";
    public const string Form = "application/x-www-form-urlencoded";

    public static OpenApiSchema String(string? description = null, string? format = null) =>
        new() { Type = JsonSchemaType.String, Format = format, Description = description };

    public static OpenApiSchema NullableString(string? description = null, int? maxLength = null) =>
        new() { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = description, MaxLength = maxLength };

    public static OpenApiSchema Integer(string? description = null, string format = "int64") =>
        new() { Type = JsonSchemaType.Integer, Format = format, Description = description };

    public static OpenApiSchema Boolean(string? description = null) => new() { Type = JsonSchemaType.Boolean, Description = description };

    public static OpenApiSchema Timestamp(string description) =>
        new() { Type = JsonSchemaType.String, Format = "date-time", Description = description };

    /// <summary>Any JSON value: seeded attributes are stored and returned as they were given.</summary>
    public static OpenApiSchema AnyValue(string description) => new() { Description = description };

    public static OpenApiSchema Enum(IEnumerable<string> values, string? description = null, bool nullable = false) => new()
    {
        Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String,
        Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v)), .. nullable ? [null!] : Array.Empty<JsonNode>()],
        Description = description,
    };

    public static OpenApiSchema ArrayOf(IOpenApiSchema items, string? description = null) =>
        new() { Type = JsonSchemaType.Array, Items = items, Description = description };

    public static OpenApiSchemaReference Ref(string schema) => new(schema);

    /// <summary>An object with these properties; <paramref name="closed"/> refuses any other key.</summary>
    public static OpenApiSchema Object(IEnumerable<(string Name, IOpenApiSchema Schema)> properties, IEnumerable<string>? required = null,
        bool closed = true, string? description = null, string? title = null) => new()
    {
        Type = JsonSchemaType.Object,
        Title = title,
        Description = description,
        Properties = properties.ToDictionary(p => p.Name, p => p.Schema),
        Required = required is null ? null : new HashSet<string>(required),
        AdditionalPropertiesAllowed = !closed,
    };

    /// <summary>
    /// The Brainstem envelope (contract §2): <c>count</c>, <c>results</c>, <c>meta</c>, the primary collection and the
    /// collections includes may add, and no other key.
    /// </summary>
    public static OpenApiSchema EnvelopeSchema(string primaryKey, string recordSchema, string what,
        IEnumerable<(string Key, string Schema, string Include)> included) => Object(
        [
            ("count", Integer("How many records match the whole query, ignoring paging.")),
            ("results", ArrayOf(Ref(ApiDocument.ResultSchema), "This page's primary records, in order.")),
            (primaryKey, Collection(recordSchema, $"The {what} of this response, keyed by id.")),
            ("meta", Ref(ApiDocument.MetaSchema)),
            .. included.Select(i => (i.Key, (IOpenApiSchema)Collection(i.Schema, $"Present with `include={i.Include}`: the included records, keyed by id."))),
        ],
        required: ["count", "results", primaryKey, "meta"],
        description: $"The response envelope: `results` gives the order, `{primaryKey}` the records.");

    /// <summary>A Brainstem collection: an object keyed by id (contract §2).</summary>
    public static OpenApiSchema Collection(string recordSchema, string description) => new()
    {
        Type = JsonSchemaType.Object,
        Description = description,
        AdditionalProperties = Ref(recordSchema),
    };

    public static OpenApiParameter Query(string name, IOpenApiSchema schema, string description, bool required = false) =>
        new() { Name = name, In = ParameterLocation.Query, Required = required, Description = description, Schema = schema };

    /// <summary>The <c>{id}</c> of a record route; an id that is not a positive integer answers 404, as an unknown one does.</summary>
    public static OpenApiParameter PathId(string what) => new()
    {
        Name = "id", In = ParameterLocation.Path, Required = true,
        Description = $"The {what}'s id. An id that does not exist, or belongs to another account, answers 404.",
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[0-9]+$" },
    };

    /// <summary>Paging as Brainstem does it (contract §3), shared by every list.</summary>
    public static IEnumerable<OpenApiParameter> Paging() =>
    [
        Query("page", new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "1", Default = JsonValue.Create(1) },
            "The page to return, from 1. A page past the end returns no results but the real `count`."),
        Query("per_page", new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = PageRequest.MaxPageSize.ToString(),
                Default = JsonValue.Create(PageRequest.DefaultPageSize) },
            $"Records per page, {PageRequest.DefaultPageSize} by default; larger values are read as {PageRequest.MaxPageSize}, zero or less as {PageRequest.DefaultPageSize}."),
        Query("limit", new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = PageRequest.MaxPageSize.ToString() },
            "With `offset`: return at most this many records (1 to 200), overriding `page`."),
        Query("offset", new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "0" },
            "With `limit`: skip this many records first."),
    ];

    public static OpenApiParameter Only() => Query("only", String(),
        "Comma-separated ids (`only=5,6,7`): return just those records, every one of them in one response (paging is off). " +
        "Tokens that are not ids are dropped; ids that do not exist are simply absent; the other filters still apply.");

    public static OpenApiParameter Order(IEnumerable<string> fields, OrderRequest defaultOrder) => Query("order",
        new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Enum = [.. fields.SelectMany(f => new[] { $"{f}:asc", $"{f}:desc" }).Select(v => (JsonNode)JsonValue.Create(v))],
            Default = JsonValue.Create($"{defaultOrder.Field}:{(defaultOrder.Descending ? "desc" : "asc")}"),
        },
        "The sort field and direction. Records with equal values are ordered by id, so pages are stable; an unknown field gives the default order.");

    /// <summary>The <c>{name}_after</c>/<c>{name}_before</c> pairs that <see cref="DateRangeFilters"/> reads.</summary>
    public static IEnumerable<OpenApiParameter> DateRanges(params (string Name, string Verb)[] ranges) => ranges.SelectMany(r => new[]
    {
        Query($"{r.Name}_after", String(format: "date-time"), $"Only records {r.Verb} strictly after this time. " + TimeFormats),
        Query($"{r.Name}_before", String(format: "date-time"), $"Only records {r.Verb} strictly before this time. " + TimeFormats),
    });

    private const string TimeFormats = "ISO 8601: `2026-11-22`, `2026-11-22T14:15:20Z` or with an offset (`+01:00`); without an offset the time is UTC. " +
        "Any other value answers 400.";

    public static OpenApiParameter Include(string description) => Query("include", String(), "Related records to add to the response: " + description +
        " Comma-separated, case-sensitive; unknown names are ignored. On POST and PUT it may also be sent in the body; the query string wins.");

    /// <summary>A body sent as JSON or as a Rails form (<c>wrapper[field]=value</c>, which OpenAPI calls deepObject).</summary>
    public static OpenApiRequestBody Body(string schema, string wrapper, string description) => new()
    {
        Required = true,
        Description = description + " Send it as JSON or as a Rails-style form (`" + wrapper + "[field]=value`, arrays as `" + wrapper +
            "[details][][category]=Scope`); both give the same result. `multipart/form-data` is read like a form.",
        Content = new Dictionary<string, OpenApiMediaType>
        {
            [Json] = new OpenApiMediaType { Schema = Ref(schema) },
            [Form] = new OpenApiMediaType
            {
                Schema = Ref(schema),
                Encoding = new Dictionary<string, OpenApiEncoding>
                {
                    [wrapper] = new() { Style = ParameterStyle.DeepObject, Explode = true },
                },
            },
        },
    };

    public static OpenApiResponse Envelope(string schema, string description) =>
        new() { Description = description, Content = new Dictionary<string, OpenApiMediaType> { [Json] = new OpenApiMediaType { Schema = Ref(schema) } } };

    /// <summary>What each error status means (contract §4); every one has the <c>Errors</c> body.</summary>
    private static readonly Dictionary<int, string> ErrorMeanings = new()
    {
        [400] = "The request is malformed: a query parameter is invalid (`field` names it), or the body cannot be read " +
            "(not JSON or form, or its wrapper object is missing or not an object).",
        [401] = "The `Authorization: Bearer` token is missing, unknown or revoked (`type` is `oauth`).",
        [403] = "The token is read-only; this operation needs a write token.",
        [404] = "No such record in the caller's account (`Record not found`).",
        [413] = "The body is larger than the server's limit (1 MiB by default).",
        [415] = "The body's `Content-Type` is neither JSON, form nor multipart.",
        [422] = "The request fails validation; every failing field is listed, with its dotted path in `field`.",
        [429] = "Too many requests for this token; retry after `Retry-After` seconds.",
        [500] = "An unexpected error (`A server error has occurred.`).",
        [503] = "The database is unavailable; retry after `Retry-After` seconds. The request changed nothing, unless the message says the outcome is unknown.",
    };

    /// <summary>Statuses every operation can answer: a bad token, the rate limit, an unexpected error, the database down.</summary>
    public static readonly int[] AnyRequest = [401, 429, 500, 503];

    /// <summary>The statuses of an operation that reads and validates a body.</summary>
    public static readonly int[] AnyWrite = [400, 401, 403, 413, 415, 422, 429, 500, 503];

    /// <summary>Adds the error answers <paramref name="statuses"/>, each with the <c>Errors</c> body.</summary>
    public static OpenApiResponses WithErrors(this OpenApiResponses responses, params IEnumerable<int> statuses)
    {
        foreach (var status in statuses.Order())
            responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = Error(ErrorMeanings[status], retryAfter: status is 429 or 503);
        return responses;
    }

    private static OpenApiResponse Error(string description, bool retryAfter = false) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { [Json] = new OpenApiMediaType { Schema = Ref(ApiDocument.ErrorsSchema) } },
        Headers = retryAfter
            ? new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait before retrying.", Schema = Integer(format: "int32") },
            }
            : null,
    };

    public static OpenApiResponse NoContent(string description) => new() { Description = description };
}
