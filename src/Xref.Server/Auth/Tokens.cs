using System.Security.Cryptography;
using System.Text;

namespace Xref.Auth;

/// <summary>API tokens: generated with 256 random bits, stored only as their SHA-256 hash.</summary>
public static class Tokens
{
    public const string Prefix = "xref_";

    /// <summary>A new token: <c>xref_</c> and 43 base64url characters (256 bits).</summary>
    public static string Generate() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Lower-case hex SHA-256 of the token's UTF-8 bytes: what the database stores and looks up.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private const string BearerHashKey = "xref.bearer-hash";

    /// <summary>
    /// The hash of the request's bearer token, or null when there is none (or it is empty or over 1,024
    /// characters). Computed once per request: the rate limiter and the authenticator both key on it.
    /// </summary>
    public static string? BearerHash(HttpContext http)
    {
        if (http.Items.TryGetValue(BearerHashKey, out var cached)) return (string?)cached;
        var authorization = http.Request.Headers.Authorization.ToString();
        var token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : "";
        var hash = token.Length is 0 or > 1024 ? null : Hash(token);
        http.Items[BearerHashKey] = hash;
        return hash;
    }

    /// <summary>Seed tokens are taken as given when they are 1–256 printable ASCII characters.</summary>
    public static bool IsAcceptable(string? token) =>
        token is { Length: >= 1 and <= 256 } && token.All(c => c is >= '!' and <= '~');
}
