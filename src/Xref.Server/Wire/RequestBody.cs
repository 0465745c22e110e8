using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Xref.Wire;

/// <summary>
/// Reads a request body, JSON or Rails form (urlencoded or multipart), into one JSON tree,
/// so every endpoint validates both kinds with the same code (wire contract §1).
/// </summary>
public static class RequestBody
{
    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        MaxDepth = 64,
        AllowDuplicateProperties = false,
    };

    /// <summary>Reads and parses the body; throws <see cref="ApiException"/> with 413, 415 or 400.</summary>
    public static async Task<JsonObject> ReadAsync(HttpRequest request, long maxBytes)
    {
        var mediaType = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value : null;
        var kind = mediaType?.ToLowerInvariant() switch
        {
            "application/json" => BodyKind.Json,
            { } other when other.EndsWith("+json", StringComparison.Ordinal) => BodyKind.Json,
            "application/x-www-form-urlencoded" => BodyKind.Form,
            "multipart/form-data" => BodyKind.Multipart,
            null => BodyKind.None,
            _ => BodyKind.Unsupported,
        };
        if (request.ContentLength > maxBytes) throw TooLarge(maxBytes);
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = maxBytes;

        if (kind == BodyKind.Multipart) return await ReadMultipartAsync(request, maxBytes);
        var bytes = await ReadAllAsync(request, maxBytes);
        return kind switch
        {
            BodyKind.Unsupported => throw new ApiException(415, [ApiError.System(
                $"Content-Type '{mediaType}' is not supported; send application/json, application/x-www-form-urlencoded or multipart/form-data.")]),
            _ when bytes.Length == 0 || bytes.AsSpan().Trim(" \t\r\n"u8).IsEmpty => throw ApiException.BadBody(
                "The request body is empty; send a JSON object such as {\"external_reference\": {...}} or Rails form fields."),
            BodyKind.None => throw new ApiException(415, [ApiError.System(
                "The request has a body but no Content-Type; send application/json or application/x-www-form-urlencoded.")]),
            BodyKind.Form => RackForm.ParseUrlEncoded(bytes),
            _ => ParseJson(bytes),
        };
    }

    /// <summary>The wrapper object (<c>external_reference</c>, <c>status_report</c>); a missing or non-object wrapper is a 400.</summary>
    public static JsonObject Wrapper(JsonObject root, string name) => root[name] switch
    {
        JsonObject wrapper => wrapper,
        null when !root.ContainsKey(name) => throw ApiException.BadBody($"The body must contain an object named '{name}'."),
        _ => throw ApiException.BadBody($"'{name}' must be an object of attributes, such as {{\"{name}\": {{...}}}}."),
    };

    /// <summary>The includes of a POST or PUT: the query string's <c>include</c>, else the body's (contract §1).</summary>
    public static IncludeSet Includes(HttpRequest request, JsonObject body) =>
        IncludeSet.Parse(new QueryValues(request.Query)["include"], Include(body));

    /// <summary>The <c>include</c> a Kantata client may send in the body; arrays and empty strings count as absent.</summary>
    private static string? Include(JsonObject root) =>
        root["include"] is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { } s && !string.IsNullOrWhiteSpace(s)
            ? s
            : null;

    private static JsonObject ParseJson(byte[] bytes)
    {
        // JsonNode reads property names lazily; checking all of the text up front keeps an invalid name from
        // surfacing later as an exception in a handler.
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
            throw ApiException.BadBody("The JSON body is not valid UTF-8.");
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(bytes, documentOptions: JsonOptions);
        }
        catch (JsonException e)
        {
            throw ApiException.BadBody($"The JSON body could not be parsed: {e.Message}");
        }
        return node as JsonObject ?? throw ApiException.BadBody("The JSON body must be an object, such as {\"external_reference\": {...}}.");
    }

    private static async Task<byte[]> ReadAllAsync(HttpRequest request, long maxBytes)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
            {
                if (buffer.Length + read > maxBytes) throw TooLarge(maxBytes);
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxBytes);
        }
        catch (BadHttpRequestException e)
        {
            // The client sent less than its Content-Length, or closed the connection mid-body: nothing was written.
            throw ApiException.BadBody($"The request body could not be read: {e.Message}");
        }
        return buffer.ToArray();
    }

    private static async Task<JsonObject> ReadMultipartAsync(HttpRequest request, long maxBytes)
    {
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = maxBytes }, request.HttpContext.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxBytes);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
        {
            throw ApiException.BadBody("The multipart body could not be read; check its boundary and parts.");
        }
        return RackForm.Build(form.SelectMany(field => field.Value.Select(value => (field.Key, (string?)value))));
    }

    private static ApiException TooLarge(long maxBytes) =>
        new(413, [ApiError.System($"The request body is larger than the limit of {maxBytes} bytes.")]);

    private enum BodyKind { None, Json, Form, Multipart, Unsupported }
}
