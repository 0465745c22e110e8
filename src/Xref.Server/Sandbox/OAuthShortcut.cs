using Microsoft.Extensions.Options;
using Xref.Hosting;
using Xref.OAuth;
using Xref.Wire;

namespace Xref.Sandbox;

/// <summary>
/// <c>POST /_xref/oauth/authorize</c>: approves an application as a given user without the consent page, for headless
/// test suites (issue 12). Part of the control API, so only served with the control plane and only with the admin
/// token. Body <c>{"client_id", "redirect_uri", "user_id", "state"?}</c>; answers <c>{"code", "redirect"}</c>, the code
/// and the callback URL the page's Allow would have redirected to.
/// </summary>
public static class OAuthShortcut
{
    /// <summary>What the handler uses, bound from the container in one parameter.</summary>
    public sealed record Services(ApplicationStore Applications, IOptions<XrefOptions> Options);

    public static async Task<IResult> Authorize(HttpRequest request, [AsParameters] Services services, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(request, services.Options.Value.MaxBodyBytes);
        var fields = new FieldReader(body);
        var clientId = fields.RequiredString("client_id", 1024);
        var redirectUri = fields.RequiredString("redirect_uri", RedirectUris.MaxLength);
        var userId = fields.RequiredInteger("user_id", 1, long.MaxValue);
        var state = fields.String("state", 4096).Value;
        if (fields.Errors.Count > 0) throw ApiException.Invalid(fields.Errors);

        if (await services.Applications.FindByClientIdAsync(clientId!, ct) is not { } application)
            throw ApiException.Invalid("client_id", "client_id names no application; register one with `xref apps create` or a seed's applications.");
        if (!application.Allows(redirectUri))
            throw ApiException.Invalid("redirect_uri", $"redirect_uri must be one of those registered for {application.Name}: {string.Join(", ", application.RedirectUris)}.");
        var code = await OAuthApi.IssueCodeAsync(services.Applications, application, userId!.Value, redirectUri!, ct)
            ?? throw ApiException.Invalid("user_id", $"user {userId} is not a user of account {application.AccountId}, which owns {application.Name}.");
        return ControlApi.Json(200, json =>
        {
            json.WriteStartObject();
            json.WriteString("code", code);
            json.WriteString("redirect", RedirectUris.With(redirectUri!, ("code", code), ("state", state)));
            json.WriteEndObject();
        });
    }
}
