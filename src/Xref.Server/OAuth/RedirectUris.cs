using System.Net;
using System.Text;

namespace Xref.OAuth;

/// <summary>
/// Callback URIs: which may be registered, and how a response is added to one (RFC 6749 §3.1.2, §4.1.2).
/// </summary>
public static class RedirectUris
{
    public const int MaxLength = 2048;

    /// <summary>Schemes a browser would run rather than navigate to: never a callback.</summary>
    private static readonly string[] Forbidden = ["javascript", "data", "vbscript", "file", "blob"];

    /// <summary>
    /// Null when <paramref name="uri"/> may be registered, else why not. An absolute URI without a fragment (RFC 6749
    /// §3.1.2); http is allowed, since a sandbox's callbacks are mostly on localhost, and so are the private schemes of
    /// native apps (<c>com.example.app:/callback</c>).
    /// </summary>
    public static string? Problem(string? uri)
    {
        if (string.IsNullOrWhiteSpace(uri)) return "a redirect URI must not be empty";
        if (uri.Length > MaxLength) return $"a redirect URI must be at most {MaxLength} characters";
        if (uri.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) return $"'{uri}' contains white space or control characters";
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed)) return $"'{uri}' is not an absolute URI such as https://example.com/callback";
        if (Forbidden.Contains(parsed.Scheme, StringComparer.OrdinalIgnoreCase)) return $"'{uri}' uses the {parsed.Scheme}: scheme, which cannot be a callback";
        if (uri.Contains('#')) return $"'{uri}' has a fragment, which a redirect URI must not have (RFC 6749 §3.1.2)";
        return null;
    }

    /// <summary>
    /// <paramref name="uri"/> with <paramref name="parameters"/> added to its query, form-encoded (spaces as <c>+</c>, as
    /// Kantata's <c>error_description=The+resource+owner…</c> shows); a null value is left out.
    /// </summary>
    public static string With(string uri, params (string Name, string? Value)[] parameters)
    {
        var url = new StringBuilder(uri);
        var separator = uri.Contains('?') ? (uri.EndsWith('?') || uri.EndsWith('&') ? "" : "&") : "?";
        foreach (var (name, value) in parameters)
        {
            if (value is null) continue;
            url.Append(separator).Append(WebUtility.UrlEncode(name)).Append('=').Append(WebUtility.UrlEncode(value));
            separator = "&";
        }
        return url.ToString();
    }
}
