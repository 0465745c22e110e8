namespace Xref.Auth;

/// <summary>
/// Applied to the whole <c>/api/v1</c> group, so every route is authenticated even if its handler does not take a
/// <see cref="Caller"/> (handlers that do were authenticated when it was bound; this then costs a lookup in Items).
/// </summary>
public sealed class TokenFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        await Caller.AuthenticateAsync(context.HttpContext);
        return await next(context);
    }
}
