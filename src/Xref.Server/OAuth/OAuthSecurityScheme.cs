using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Xref.OAuth;

/// <summary>
/// Declares in Xref's OpenAPI document the <c>OauthSecurity</c> scheme Kantata's published documents declare (an
/// authorization-code flow, no scopes), pointing at Xref's own <c>/oauth/authorize</c> and <c>/oauth/token</c>: absolute
/// under the document's first server when it has one, else relative to the document (OpenAPI 3.1 allows both).
/// </summary>
public sealed class OAuthSecurityScheme : IOpenApiDocumentTransformer
{
    public const string Name = "OauthSecurity";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var server = document.Servers?.FirstOrDefault()?.Url?.TrimEnd('/') ?? "";
        Uri Url(string path) => new(server + path, server.Length > 0 ? UriKind.Absolute : UriKind.Relative);
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Name] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.OAuth2,
            Flows = new OpenApiOAuthFlows
            {
                AuthorizationCode = new OpenApiOAuthFlow
                {
                    AuthorizationUrl = Url("/oauth/authorize"),
                    TokenUrl = Url("/oauth/token"),
                    Scopes = new Dictionary<string, string>(),
                },
            },
        };
        return Task.CompletedTask;
    }
}
