namespace Xref.Auth;

/// <summary>
/// Who is calling: the token's user and account, and whether it may write. Handlers of <c>/api/v1</c> take it as a
/// parameter; minimal APIs bind it with <see cref="BindAsync"/>, which authenticates the request.
/// </summary>
public sealed record Caller(long TokenId, long UserId, long AccountId, bool CanWrite, bool AutoSubjects)
{
    private const string ItemKey = "xref.caller";

    /// <summary>The request's caller once authenticated, else null (the journal records its account).</summary>
    public static Caller? Of(HttpContext http) => http.Items.TryGetValue(ItemKey, out var known) ? (Caller?)known : null;

    /// <summary>Binds a handler's <see cref="Caller"/> parameter (parameters are bound before endpoint filters run).</summary>
    public static async ValueTask<Caller?> BindAsync(HttpContext http) => await AuthenticateAsync(http);

    /// <summary>
    /// The request's caller, authenticated once per request: a valid token (401 otherwise), and a write-scoped one
    /// for anything but GET and HEAD (403), in the order wire contract §4 gives.
    /// </summary>
    public static async ValueTask<Caller> AuthenticateAsync(HttpContext http)
    {
        if (http.Items.TryGetValue(ItemKey, out var known)) return (Caller)known!;
        var authenticator = http.RequestServices.GetRequiredService<TokenAuthenticator>();
        var caller = await authenticator.AuthenticateAsync(Tokens.BearerHash(http), http.Connection.RemoteIpAddress, http.RequestAborted)
            ?? throw Wire.ApiException.Unauthorized();
        if (!caller.CanWrite && !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
            throw Wire.ApiException.Forbidden("This token is read-only; use a token with the write scope to change data.");
        http.Items[ItemKey] = caller;
        return caller;
    }
}
