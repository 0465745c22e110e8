using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Xref.Accounts;

namespace Xref.OAuth;

/// <summary>
/// The HTML of <c>/oauth/authorize</c>: the consent page and its error pages. Small, server-rendered, usable by
/// keyboard and screen reader (a labelled list, real buttons), no JavaScript and nothing loaded from elsewhere; every
/// value is HTML-encoded, so an application or user name is shown as text whatever it contains.
/// </summary>
public static class AuthorizePage
{
    private const string Style =
        "body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}" +
        "select,button{font-size:1rem}select{display:block;width:100%;margin:.4rem 0 1.2rem;padding:.4rem}" +
        "button{padding:.5rem 1.4rem;margin-right:.8rem}:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}" +
        "code{word-break:break-all}";

    /// <summary>
    /// Nothing but this page's own style may load or run, no site may frame it (clickjacking), and the callback is
    /// not told the page's address. The style is allowed by its hash, not by 'unsafe-inline'.
    /// </summary>
    private static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'; frame-ancestors 'none'; base-uri 'none'";

    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    /// <summary>"Allow <b>name</b> to use Kantata as …": a choice of the account's users, Allow and Deny.</summary>
    public static IResult Consent(OAuthApplication application, IReadOnlyList<UserRecord> users, string redirectUri, string formToken)
    {
        var name = Html.Encode(application.Name);
        var body = new StringBuilder();
        body.Append("<h1>Allow <b>").Append(name).Append("</b> to use Kantata as …</h1>\n<form method=\"post\">\n");
        body.Append("<input type=\"hidden\" name=\"form_token\" value=\"").Append(Html.Encode(formToken)).Append("\">\n");
        if (users.Count == 0)
            body.Append("<p>This application's account has no users yet, so there is nobody to act as (an operator adds one with <code>xref users create</code>).</p>\n");
        else
        {
            body.Append("<label for=\"user_id\">Use Kantata as</label>\n<select id=\"user_id\" name=\"user_id\" required autofocus>\n");
            foreach (var user in users)
            {
                var label = user.FullName ?? $"User {user.Id}";
                if (user.EmailAddress is { } email) label += $" ({email})";
                body.Append("<option value=\"").Append(user.Id).Append("\">").Append(Html.Encode(label)).Append("</option>\n");
            }
            body.Append("</select>\n<p>Allow sends you back to <code>").Append(Html.Encode(redirectUri)).Append("</code> with a code that <b>")
                .Append(name).Append("</b> exchanges for a token acting as this user, until the token is revoked or the application deleted.</p>\n")
                .Append("<button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\n");
        }
        body.Append("<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n</form>");
        return new Page(200, $"Authorize {application.Name}", body.ToString());
    }

    /// <summary>An error page: never a redirect, since the request's callback could not be trusted.</summary>
    public static IResult Error(int status, string title, string message) =>
        new Page(status, title, $"<h1>{Html.Encode(title)}</h1>\n<p>{Html.Encode(message)}</p>");

    private sealed class Page(int status, string title, string body) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            var response = context.Response;
            response.StatusCode = status;
            response.ContentType = "text/html; charset=utf-8";
            response.Headers.CacheControl = "no-store";
            response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            response.Headers.XFrameOptions = "DENY";
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers["Referrer-Policy"] = "no-referrer";
            return response.WriteAsync($"""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>{Html.Encode(title)} · Xref</title>
                <style>{Style}</style>
                </head>
                <body>
                <main>
                {body}
                </main>
                </body>
                </html>

                """, context.RequestAborted);
        }
    }
}
