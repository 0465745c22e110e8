namespace Xref.Client;

/// <summary>Where and how <see cref="KantataClient"/> calls the API.</summary>
public sealed record KantataClientOptions
{
    /// <summary>
    /// The API root, such as <c>https://api.mavenlink.com/api/v1/</c>, or a server's root (<c>http://127.0.0.1:5080</c>),
    /// to which <c>api/v1/</c> is added. Null: the <see cref="HttpClient.BaseAddress"/> of the client given.
    /// </summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>The bearer token sent with each call. Null: whatever the <see cref="HttpClient"/> already sends.</summary>
    public string? Token { get; init; }

    /// <summary>How many times a 429 or 503 is retried before its <see cref="KantataApiException"/> is thrown (default 4; 0 turns retries off).</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>The longest wait before one retry (default 30 s): a <c>Retry-After</c> longer than this is not waited for, the error is thrown.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);
}
