using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Xref.Accounts;
using Xref.Auth;
using Xref.Hosting;
using Xref.Wire;

namespace Xref.OAuth;

/// <summary>
/// The OAuth 2.0 authorization-code flow as Kantata OX serves it (developer.kantata.com, "Obtaining tokens for
/// users"): <c>GET /oauth/authorize</c> shows the consent page, its form posts back to <c>/oauth/authorize</c> and is
/// answered by a redirect to the application's callback, and <c>POST /oauth/token</c> exchanges the code for an
/// ordinary Xref token of the chosen user. Xref has no sign-in: whoever opens the page may act as any user of the
/// application's account (see the README's security section).
/// </summary>
public static class OAuthApi
{
    /// <summary>What the handlers use, bound from the container in one parameter.</summary>
    public sealed record Services(ApplicationStore Applications, AccountStore Accounts, AuthorizeFormTokens Forms,
        FailedAuthentications Failures, IOptions<XrefOptions> Options);

    public const string AccessDenied = "The resource owner or authorization server denied the request.";

    public static void MapOAuth(this IEndpointRouteBuilder app)
    {
        var oauth = app.MapGroup("/oauth").ExcludeFromDescription();
        // The page costs database reads, so it is limited per client address like /ready; the token endpoint is held
        // by the limit on failures instead (each success needs a new code, which needs this page).
        oauth.MapGet("/authorize", Authorize).RequireRateLimiting(RateLimits.PolicyName);
        oauth.MapPost("/authorize", Decide).RequireRateLimiting(RateLimits.PolicyName);
        oauth.MapPost("/token", Token);
    }

    /// <summary>GET /oauth/authorize?response_type=code&amp;client_id=…&amp;redirect_uri=…&amp;state=…: the consent page.</summary>
    public static async Task<IResult> Authorize(HttpContext http, [AsParameters] Services services)
    {
        var query = http.Request.Query;
        var (application, problem) = await CheckClientAsync(query["client_id"], query["redirect_uri"], services, http.RequestAborted);
        if (problem is not null) return problem;
        var redirectUri = query["redirect_uri"].ToString();
        // From here the callback is trusted, so errors go back to it (RFC 6749 §4.1.2.1), with the caller's state.
        if (query["state"].Count > 1 || query["response_type"].Count > 1)
            return RedirectError(redirectUri, "invalid_request", "A parameter is given more than once; send each once (RFC 6749 §3.1).", null);
        var state = query["state"].ToString() is { Length: > 0 } s ? s : null;
        var responseType = query["response_type"].ToString();
        if (responseType.Length == 0) return RedirectError(redirectUri, "invalid_request", "Missing required parameter: response_type.", state);
        if (responseType != "code")
            return RedirectError(redirectUri, "unsupported_response_type", "The authorization server does not support this response type.", state);

        var users = await services.Accounts.ListUsersAsync(application!.AccountId, http.RequestAborted);
        var token = services.Forms.Issue(http, new AuthorizeRequest(application.ClientId, redirectUri, state));
        return AuthorizePage.Consent(application, users, redirectUri, token);
    }

    /// <summary>POST /oauth/authorize: the consent form. Allow redirects with a code, Deny with access_denied; both with the state.</summary>
    public static async Task<IResult> Decide(HttpContext http, [AsParameters] Services services)
    {
        var form = await ReadFormAsync(http.Request, services.Options.Value.MaxBodyBytes);
        if (form is null) return AuthorizePage.Error(400, "This form could not be read", "Open the application's authorization link again.");
        if (services.Forms.Read(http, Single(form["form_token"])) is not { } request)
            return AuthorizePage.Error(403, "This form has expired or did not come from this page",
                $"An approval is accepted only from the page Xref showed in this browser, within {AuthorizeFormTokens.Lifetime.TotalMinutes:0} minutes. Open the application's authorization link again.");
        var (application, problem) = await CheckClientAsync(request.ClientId, request.RedirectUri, services, http.RequestAborted);
        if (problem is not null) return problem;

        switch (Single(form["decision"]))
        {
            case "deny":
                return RedirectError(request.RedirectUri, "access_denied", AccessDenied, request.State);
            case "allow":
                if (!RecordId.TryParse(Single(form["user_id"]), out var userId))
                    return AuthorizePage.Error(400, "Choose a user", "Choose one of the listed users to act as, then Allow.");
                var code = await IssueCodeAsync(services.Applications, application!, userId, request.RedirectUri, http.RequestAborted);
                if (code is null) return AuthorizePage.Error(400, "Choose a user", "That user is not one of this application's account; choose one of the listed users.");
                http.Response.Headers.CacheControl = "no-store";
                return Results.Redirect(RedirectUris.With(request.RedirectUri, ("code", code), ("state", request.State)));
            default:
                return AuthorizePage.Error(400, "Choose Allow or Deny", "Send the form with its Allow or Deny button.");
        }
    }

    /// <summary>
    /// POST /oauth/token: exchanges a code for <c>{"access_token", "token_type": "bearer"}</c>. Each failure spends one of
    /// the address's failed authentications (<see cref="FailedAuthentications"/>), so codes and secrets cannot be guessed.
    /// </summary>
    public static async Task<IResult> Token(HttpContext http, [AsParameters] Services services)
    {
        var address = http.Connection.RemoteIpAddress;
        if (services.Failures.IsBlocked(address)) return OAuthError.SlowDown();
        try
        {
            var request = await TokenRequest.ReadAsync(http.Request, services.Options.Value.MaxBodyBytes);
            if (request.GrantType is null) throw OAuthError.Missing("grant_type");
            if (request.GrantType != "authorization_code") throw OAuthError.UnsupportedGrantType();
            if (request.ClientId is null || request.ClientSecret is null
                || await services.Applications.FindByClientIdAsync(request.ClientId, http.RequestAborted) is not { } application
                || !application.HasSecret(request.ClientSecret))
                throw OAuthError.InvalidClient(request.ByBasic);
            if (request.Code is null) throw OAuthError.Missing("code");
            if (request.RedirectUri is null) throw OAuthError.Missing("redirect_uri");

            var token = Tokens.Generate();
            var outcome = await services.Applications.ExchangeCodeAsync(application, Tokens.Hash(request.Code), request.RedirectUri,
                Tokens.Hash(token), http.RequestAborted);
            return outcome switch
            {
                CodeExchange.Issued => new TokenResponse(token),
                CodeExchange.Replayed => throw OAuthError.InvalidGrant(
                    "The authorization code has already been used; the token issued for it is now revoked (RFC 6749 §10.5). Start the authorization again."),
                CodeExchange.Expired => throw OAuthError.InvalidGrant(
                    $"The authorization code has expired (codes are valid for {ApplicationStore.CodeLifetime.TotalMinutes:0} minutes); start the authorization again."),
                CodeExchange.RedirectMismatch => throw OAuthError.InvalidGrant(
                    "The redirect_uri does not match the one the authorization code was issued for."),
                _ => throw OAuthError.InvalidGrant(
                    "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."),
            };
        }
        catch (OAuthError e)
        {
            services.Failures.Record(address);
            return e;
        }
    }

    /// <summary>A new code for <paramref name="userId"/> (stored hashed); null when the user is not of the application's account.</summary>
    public static async Task<string?> IssueCodeAsync(ApplicationStore applications, OAuthApplication application, long userId, string redirectUri, CancellationToken ct)
    {
        var code = OAuthApplication.NewSecret();
        return await applications.IssueCodeAsync(application, userId, redirectUri, Tokens.Hash(code), ct) ? code : null;
    }

    /// <summary>
    /// The application and the callback, checked before anything is redirected: an unknown client or a callback not
    /// registered for it gets a 400 page and never a redirect (RFC 6749 §4.1.2.1), so Xref is no open redirector.
    /// </summary>
    private static async Task<(OAuthApplication? Application, IResult? Problem)> CheckClientAsync(StringValues clientId, StringValues redirectUri,
        Services services, CancellationToken ct)
    {
        if (clientId.Count != 1 || string.IsNullOrEmpty(clientId[0]) || clientId[0]!.Length > 1024 || clientId[0]!.Contains('\0')
            || await services.Applications.FindByClientIdAsync(clientId[0]!, ct) is not { } application)
            return (null, AuthorizePage.Error(400, "Unknown application",
                "The client_id of this link names no application registered in Xref. Check the link, or register the application with `xref apps create`."));
        if (redirectUri.Count != 1 || !application.Allows(redirectUri[0]))
            return (null, AuthorizePage.Error(400, "Redirect URI not registered",
                $"The redirect_uri of this link is missing or is not one registered for {application.Name}; it must equal one of them exactly."));
        return (application, null);
    }

    private static IResult RedirectError(string redirectUri, string error, string description, string? state) =>
        Results.Redirect(RedirectUris.With(redirectUri, ("error", error), ("error_description", description), ("state", state)));

    private static string? Single(StringValues values) => values.Count == 1 ? values[0] : null;

    private static async Task<IFormCollection?> ReadFormAsync(HttpRequest request, long maxBodyBytes)
    {
        if (!request.HasFormContentType || request.ContentLength > maxBodyBytes) return null;
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = maxBodyBytes;
        try
        {
            return await request.ReadFormAsync(new FormOptions { ValueCountLimit = 64, KeyLengthLimit = 256, ValueLengthLimit = 32 * 1024 }, request.HttpContext.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException or System.Text.DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>The token response (RFC 6749 §5.1): never cached.</summary>
    private sealed class TokenResponse(string token) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            var response = context.Response;
            response.ContentType = Envelope.JsonContentType;
            response.Headers.CacheControl = "no-store";
            response.Headers.Pragma = "no-cache";
            await using var json = new System.Text.Json.Utf8JsonWriter(response.BodyWriter);
            json.WriteStartObject();
            json.WriteString("access_token", token);
            json.WriteString("token_type", "bearer");
            json.WriteEndObject();
            await json.FlushAsync();
        }
    }
}
