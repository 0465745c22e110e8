namespace Xref.Client;

/// <summary>
/// A client of the Kantata OX API (External References and Status Reports), against Kantata OX or Xref. It is cheap
/// and thread-safe; it does not own the <see cref="HttpClient"/>, so it works as a typed client of
/// <c>IHttpClientFactory</c> (<c>services.AddHttpClient&lt;KantataClient&gt;(...)</c>, base address and
/// <c>Authorization</c> set on the client).
/// </summary>
public sealed class KantataClient
{
    /// <summary>A client over <paramref name="http"/>; <paramref name="options"/> may give the base URL and token.</summary>
    public KantataClient(HttpClient http, KantataClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        var transport = new KantataTransport(http, options ?? new KantataClientOptions());
        ExternalReferences = new ExternalReferencesResource(transport);
        StatusReports = new StatusReportsResource(transport);
        ApiRoot = transport.ApiRoot;
    }

    /// <summary>A client of <paramref name="baseUrl"/> with a bearer token, on an <see cref="HttpClient"/> of its own.</summary>
    public KantataClient(Uri baseUrl, string token, TimeSpan? timeout = null)
        : this(new HttpClient { Timeout = timeout ?? TimeSpan.FromSeconds(100) }, new KantataClientOptions { BaseUrl = baseUrl, Token = token })
    {
    }

    /// <summary>The API root calls go to, such as <c>http://127.0.0.1:5080/api/v1/</c>.</summary>
    public Uri ApiRoot { get; }

    /// <summary><c>/external_references</c>: list, create_or_update, delete.</summary>
    public ExternalReferencesResource ExternalReferences { get; }

    /// <summary><c>/status_reports</c>: create, get, list, update, delete.</summary>
    public StatusReportsResource StatusReports { get; }
}
