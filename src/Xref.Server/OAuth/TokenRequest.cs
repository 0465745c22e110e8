using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Xref.OAuth;

/// <summary>
/// The parameters of <c>POST /oauth/token</c> (RFC 6749 §4.1.3), from the form body and, as Rails reads them for
/// Kantata, the query string (Kantata's own guide puts them there); and the client's credentials, from the body or
/// from HTTP Basic (§2.3.1). A parameter given twice, or both ways of authenticating at once, is an invalid request.
/// </summary>
public sealed record TokenRequest(string? GrantType, string? Code, string? RedirectUri, string? ClientId, string? ClientSecret, bool ByBasic)
{
    private static readonly string[] Names = ["grant_type", "code", "redirect_uri", "client_id", "client_secret"];

    /// <summary>No parameter Xref reads is longer; a longer one is refused rather than hashed or looked up.</summary>
    private const int MaxValueLength = 4096;

    /// <summary>Reads the request; throws <see cref="OAuthError"/> (invalid_request, or invalid_client for a malformed Basic header).</summary>
    public static async Task<TokenRequest> ReadAsync(HttpRequest request, long maxBodyBytes)
    {
        var values = Names.ToDictionary(n => n, _ => new List<string>());
        void Add(string name, StringValues given)
        {
            if (values.TryGetValue(name, out var list))
                list.AddRange(given.Where(v => !string.IsNullOrEmpty(v))!); // RFC 6749 §3.1: an empty parameter is an omitted one
        }
        foreach (var (name, given) in request.Query) Add(name, given);
        foreach (var (name, given) in await ReadBodyAsync(request, maxBodyBytes)) Add(name, given);

        string? One(string name)
        {
            var list = values[name];
            if (list.Count > 1) throw OAuthError.InvalidRequest($"The parameter {name} is given more than once; send it once (RFC 6749 §3.2).");
            if (list.Count == 1 && list[0].Length > MaxValueLength) throw OAuthError.InvalidRequest($"The parameter {name} is longer than {MaxValueLength} characters.");
            // PostgreSQL cannot hold NUL, so no stored value contains one: refused here rather than failing in SQL.
            if (list.Count == 1 && list[0].Contains('\0')) throw OAuthError.InvalidRequest($"The parameter {name} contains a NUL character.");
            return list.Count == 0 ? null : list[0];
        }

        var (clientId, clientSecret) = (One("client_id"), One("client_secret"));
        var basic = Basic(request);
        if (basic is { } credentials)
        {
            if (clientSecret is not null)
                throw OAuthError.InvalidRequest("The client authenticated both with HTTP Basic and with client_secret in the request; use one method (RFC 6749 §2.3).");
            if (clientId is not null && clientId != credentials.Id) throw OAuthError.InvalidClient(basic: true);
            (clientId, clientSecret) = credentials;
        }
        return new TokenRequest(One("grant_type"), One("code"), One("redirect_uri"), clientId, clientSecret, basic is not null);
    }

    private static async Task<IEnumerable<KeyValuePair<string, StringValues>>> ReadBodyAsync(HttpRequest request, long maxBodyBytes)
    {
        if (request.ContentLength == 0 || request.ContentLength is null && request.Headers.TransferEncoding.Count == 0) return [];
        if (!request.HasFormContentType)
            throw OAuthError.InvalidRequest("Send the parameters as an application/x-www-form-urlencoded body (RFC 6749 §4.1.3).");
        if (request.ContentLength > maxBodyBytes) throw TooLarge(maxBodyBytes);
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = maxBodyBytes;
        try
        {
            var options = new FormOptions
            {
                ValueCountLimit = 256, KeyLengthLimit = 1024, ValueLengthLimit = 64 * 1024, MultipartBodyLengthLimit = maxBodyBytes, BufferBodyLengthLimit = maxBodyBytes,
            };
            return await request.ReadFormAsync(options, request.HttpContext.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxBodyBytes);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException or DecoderFallbackException)
        {
            throw OAuthError.InvalidRequest("The form body could not be read; send application/x-www-form-urlencoded parameters.");
        }
    }

    private static OAuthError TooLarge(long maxBodyBytes) => OAuthError.InvalidRequest($"The request body is larger than the limit of {maxBodyBytes} bytes.", 413);

    /// <summary>
    /// The credentials of an <c>Authorization: Basic</c> header: base64 of the form-encoded id and secret joined by a
    /// colon (RFC 6749 §2.3.1). Null when the header is absent or another scheme; a malformed one is invalid_client.
    /// </summary>
    private static (string Id, string Secret)? Basic(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':');
            if (colon > 0 && colon < decoded.Length - 1)
                return (FormDecode(decoded[..colon]), FormDecode(decoded[(colon + 1)..]));
        }
        catch (FormatException)
        {
        }
        throw OAuthError.InvalidClient(basic: true);
    }

    private static string FormDecode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
