using System.Text.Json;
using System.Text.Json.Serialization;

namespace Xref.Client;

/// <summary>The token of an authorization-code exchange.</summary>
/// <param name="AccessToken">The bearer token, for <see cref="KantataClientOptions.Token"/>.</param>
/// <param name="TokenType">Its type (<c>bearer</c>).</param>
public sealed record OAuthToken(string AccessToken, string TokenType);

/// <summary>An RFC 6749 §5.2 error body.</summary>
internal sealed record OAuthErrorBody(string? Error, [property: JsonPropertyName("error_description")] string? ErrorDescription);

/// <summary>
/// The OAuth 2.0 authorization-code flow of an application (client id and secret, a registered callback URI): the
/// URL to send the user to, and the exchange of the code their browser comes back with. <see cref="ForKantata"/>
/// uses Kantata OX's addresses, <see cref="ForServer"/> Xref's (or any server's) <c>/oauth/authorize</c> and <c>/oauth/token</c>.
/// </summary>
public sealed class KantataOAuth
{
    /// <summary>Kantata OX's authorization server.</summary>
    public static readonly Uri KantataAuthority = new("https://app.mavenlink.com/");

    private readonly Uri authority;
    private readonly string clientId;
    private readonly string clientSecret;
    private readonly Uri redirectUri;

    private KantataOAuth(Uri authority, string clientId, string clientSecret, Uri redirectUri)
    {
        this.authority = authority.ToString().EndsWith('/') ? authority : new Uri(authority + "/");
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.redirectUri = redirectUri;
    }

    /// <summary>The flow against Kantata OX (<c>app.mavenlink.com</c>).</summary>
    public static KantataOAuth ForKantata(string clientId, string clientSecret, Uri redirectUri) =>
        new(KantataAuthority, clientId, clientSecret, redirectUri);

    /// <summary>The flow against the server at <paramref name="serverUrl"/>, such as an Xref at <c>http://127.0.0.1:5080</c>.</summary>
    public static KantataOAuth ForServer(Uri serverUrl, string clientId, string clientSecret, Uri redirectUri) =>
        new(serverUrl, clientId, clientSecret, redirectUri);

    /// <summary>Where to send the user's browser; <paramref name="state"/> comes back with the code (check it: it binds the answer to this request).</summary>
    public Uri AuthorizeUrl(string? state = null) => new(new Uri(authority, "oauth/authorize") + new QueryString()
        .Add("response_type", "code").Add("client_id", clientId).Add("redirect_uri", redirectUri.ToString()).Add("state", state).ToString());

    /// <summary>Exchanges the <c>code</c> of the callback for a token; an OAuth error throws a <see cref="KantataApiException"/> whose entry type is the error code.</summary>
    public async Task<OAuthToken> ExchangeCodeAsync(HttpClient http, string code, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["client_id"] = clientId,
            ["client_secret"] = clientSecret, ["redirect_uri"] = redirectUri.ToString(),
        });
        using var response = await http.PostAsync(new Uri(authority, "oauth/token"), form, ct);
        if (!response.IsSuccessStatusCode) throw await KantataTransport.ErrorAsync(response, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        return await JsonSerializer.DeserializeAsync(body, KantataJson.Default.OAuthToken, ct)
            ?? throw new JsonException("The token endpoint answered null.");
    }
}
