using Xref.Wire;

namespace Xref.Auth;

/// <summary>
/// Applied to the whole <c>/api/v1</c> group: a valid token (401 otherwise), and a write-scoped one for
/// anything but GET (403), in the order wire contract §4 gives.
/// </summary>
public sealed class TokenFilter(TokenAuthenticator authenticator) : IEndpointFilter
{
    private const string CallerKey = "xref.caller";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var caller = await authenticator.AuthenticateAsync(Tokens.BearerHash(http), http.RequestAborted)
            ?? throw ApiException.Unauthorized();
        if (!caller.CanWrite && !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
            throw ApiException.Forbidden("This token is read-only; use a token with the write scope to change data.");
        http.Items[CallerKey] = caller;
        return await next(context);
    }

    /// <summary>The caller the filter authenticated; every handler of the group may rely on it.</summary>
    public static Caller CallerOf(HttpContext http) => (Caller)http.Items[CallerKey]!;
}
