using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Xref.OAuth;

/// <summary>What the authorize page's form carries back: the request it was rendered for.</summary>
public sealed record AuthorizeRequest(string ClientId, string RedirectUri, string? State);

/// <summary>
/// Cross-site request forgery protection of the authorize form. The page's form carries the request it was rendered
/// for only inside a token that ASP.NET Core Data Protection encrypts and authenticates (so it cannot be forged or
/// altered: no hand-rolled cryptography) and that expires after <see cref="Lifetime"/>. The token also holds a random
/// nonce that the page set as a <c>SameSite=Strict</c> cookie: another site can neither read the token nor make the
/// browser send the cookie with its own POST, so only the page itself can submit an approval.
/// <para>
/// The key ring is ephemeral (in memory, new at each start): nothing to store or leak, and a form outlives neither
/// its <see cref="Lifetime"/> nor the process. A form must so be posted to the node that rendered it (with several
/// nodes, sticky sessions); codes themselves live in the database and are exchanged on any node. The lifetime is
/// real time, not the sandbox clock: it guards a person filling in a page.
/// </para>
/// </summary>
public sealed class AuthorizeFormTokens(ILoggerFactory loggers)
{
    public const string CookieName = "xref_oauth_nonce";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private readonly ITimeLimitedDataProtector protector = new EphemeralDataProtectionProvider(loggers)
        .CreateProtector("Xref.OAuth.AuthorizeForm").ToTimeLimitedDataProtector();

    /// <summary>A form token for <paramref name="request"/>, bound to this browser's nonce cookie (set now if it has none).</summary>
    public string Issue(HttpContext http, AuthorizeRequest request)
    {
        var nonce = Nonce(http);
        if (nonce is null)
        {
            nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            http.Response.Cookies.Append(CookieName, nonce, new CookieOptions
            {
                Path = "/oauth", HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps, IsEssential = true,
            });
        }
        var payload = JsonSerializer.Serialize(new[] { nonce, request.ClientId, request.RedirectUri, request.State });
        return protector.Protect(payload, DateTimeOffset.UtcNow + Lifetime);
    }

    /// <summary>The request a posted form token was issued for; null when it is missing, altered, expired or not this browser's.</summary>
    public AuthorizeRequest? Read(HttpContext http, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 16 * 1024 || Nonce(http) is not { } nonce) return null;
        try
        {
            var fields = JsonSerializer.Deserialize<string?[]>(protector.Unprotect(token, out _));
            if (fields is not [{ } sent, { } clientId, { } redirectUri, var state]) return null;
            return CryptographicOperations.FixedTimeEquals(Convert.FromHexString(sent), Convert.FromHexString(nonce))
                ? new AuthorizeRequest(clientId, redirectUri, state)
                : null;
        }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }

    private static string? Nonce(HttpContext http) =>
        http.Request.Cookies[CookieName] is { Length: 32 } nonce && nonce.All(char.IsAsciiHexDigitLower) ? nonce : null;
}
