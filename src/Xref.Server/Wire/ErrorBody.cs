using System.Text.Json;

namespace Xref.Wire;

/// <summary>Writes <c>{"errors":[...]}</c> with the status and headers the contract asks for.</summary>
public static class ErrorBody
{
    public static async Task WriteAsync(HttpResponse response, int status, IReadOnlyList<ApiError> errors, TimeSpan? retryAfter = null)
    {
        response.StatusCode = status;
        response.ContentType = Envelope.JsonContentType;
        if (retryAfter is { } wait)
            response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var json = new Utf8JsonWriter(response.BodyWriter);
        json.WriteStartObject();
        json.WriteStartArray("errors");
        foreach (var error in errors)
        {
            json.WriteStartObject();
            json.WriteString("type", error.Type);
            json.WriteString("message", error.Message);
            if (error.Field is not null) json.WriteString("field", error.Field);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync();
    }

    public static Task WriteAsync(HttpResponse response, ApiException error) =>
        WriteAsync(response, error.Status, error.Errors, error.RetryAfter);
}
