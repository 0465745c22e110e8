using System.Text.Encodings.Web;
using System.Text.Json;
using Xref.Wire;

namespace Xref.OAuth;

/// <summary>
/// An error of the token endpoint, as RFC 6749 §5.2 shapes it: <c>{"error", "error_description"}</c>, never cached.
/// Thrown while a token request is handled and written as its response. The descriptions are Doorkeeper's (the OAuth
/// provider of Kantata's Rails application) where a client might match on them, more specific where that helps.
/// </summary>
public sealed class OAuthError(int status, string error, string description) : Exception(description), IResult
{
    public int Status { get; } = status;
    public string Error { get; } = error;

    /// <summary>The client authenticated with HTTP Basic: a 401 then names that scheme (RFC 6749 §5.2).</summary>
    public bool BasicChallenge { get; init; }

    public TimeSpan? RetryAfter { get; init; }

    public static OAuthError InvalidRequest(string description, int status = 400) => new(status, "invalid_request", description);

    public static OAuthError Missing(string parameter) => InvalidRequest($"Missing required parameter: {parameter}.");

    public static OAuthError InvalidClient(bool basic) => new(401, "invalid_client",
        "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.")
    { BasicChallenge = basic };

    public static OAuthError InvalidGrant(string description) => new(400, "invalid_grant", description);

    public static OAuthError UnsupportedGrantType() => new(400, "unsupported_grant_type",
        "The authorization grant type is not supported by the authorization server; Xref serves grant_type=authorization_code.");

    /// <summary>
    /// Too many failed token requests from one address. RFC 6749 defines no code for it; <c>slow_down</c> is the token
    /// endpoint's code for "ask less often" (RFC 8628 §3.5), and the 429 with Retry-After says how long.
    /// </summary>
    public static OAuthError SlowDown() => new(429, "slow_down",
        $"Too many failed requests from this address (more than {Auth.FailedAuthentications.Burst}, then {Auth.FailedAuthentications.PerSecond} a second); retry after the Retry-After delay.")
    { RetryAfter = TimeSpan.FromSeconds(1) };

    public async Task ExecuteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = Status;
        response.ContentType = Envelope.JsonContentType;
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        if (BasicChallenge && Status == 401) response.Headers.WWWAuthenticate = "Basic realm=\"Xref\"";
        if (RetryAfter is { } wait) response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Relaxed escaping keeps "§" and "&" readable; the body is served as JSON, never inside HTML.
        await using var json = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("error", Error);
        json.WriteString("error_description", Message);
        json.WriteEndObject();
        await json.FlushAsync();
    }
}
