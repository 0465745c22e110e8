using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Polly;
using Polly.Retry;

namespace Xref.Client;

/// <summary>
/// Sends one API call: the bearer token, JSON in and out, the error body turned into a <see cref="KantataApiException"/>,
/// and 429/503 retried by Polly, waiting what <c>Retry-After</c> asks (or a jittered backoff from 1 s without it).
/// </summary>
internal sealed class KantataTransport
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };
    private static readonly ProductInfoHeaderValue Agent = new("Xref.Client", typeof(KantataTransport).Assembly.GetName().Version?.ToString(3));

    private readonly HttpClient http;
    private readonly AuthenticationHeaderValue? authorization;
    private readonly ResiliencePipeline<HttpResponseMessage> retryBoth;
    private readonly ResiliencePipeline<HttpResponseMessage> retryTooMany;

    public KantataTransport(HttpClient http, KantataClientOptions options)
    {
        this.http = http;
        ApiRoot = ApiRootOf(options.BaseUrl ?? http.BaseAddress
            ?? throw new ArgumentException("Give KantataClientOptions.BaseUrl, or an HttpClient with a BaseAddress.", nameof(options)));
        authorization = options.Token is { } token ? new AuthenticationHeaderValue("Bearer", token) : null;
        retryBoth = Pipeline(options, HttpStatusCode.TooManyRequests, HttpStatusCode.ServiceUnavailable);
        retryTooMany = Pipeline(options, HttpStatusCode.TooManyRequests);
    }

    /// <summary>The API root every path is relative to, ending in '/'.</summary>
    public Uri ApiRoot { get; }

    /// <summary>
    /// Sends the call and parses its JSON body (null for 204). <paramref name="idempotent"/> false retries only 429: a
    /// 503 of a create may come after its commit (the wire contract's "outcome unknown"), and a retry would create twice.
    /// </summary>
    public async Task<JsonDocument?> SendAsync(HttpMethod method, string path, byte[]? body, bool idempotent, CancellationToken ct)
    {
        var uri = new Uri(ApiRoot, path);
        var pipeline = idempotent ? retryBoth : retryTooMany;
        using var response = await pipeline.ExecuteAsync(async token =>
        {
            using var request = new HttpRequestMessage(method, uri);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            request.Headers.UserAgent.Add(Agent);
            if (authorization is not null) request.Headers.Authorization = authorization;
            if (body is not null) request.Content = new ByteArrayContent(body) { Headers = { ContentType = Json } };
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
        }, ct);
        if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, ct);
        if (response.StatusCode == HttpStatusCode.NoContent) return null;
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        return await JsonDocument.ParseAsync(stream, cancellationToken: ct);
    }

    /// <summary>The exception for a failed response: its <c>errors[]</c>, an OAuth error, or what the body says.</summary>
    public static async Task<KantataApiException> ErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        IReadOnlyList<KantataError>? errors = null;
        try
        {
            errors = JsonSerializer.Deserialize(text, BodyJson.Default.KantataErrorBody)?.Errors;
            if (errors is null && JsonSerializer.Deserialize(text, BodyJson.Default.OAuthErrorBody) is { Error: { } code } oauth)
                errors = [new KantataError(code, oauth.ErrorDescription ?? code)];
        }
        catch (JsonException)
        {
            // Not JSON: a proxy's page, say. The entry below keeps its start.
        }
        errors ??= [new KantataError("http", text.Length == 0 ? response.ReasonPhrase ?? "" : text[..Math.Min(text.Length, 500)])];
        return new KantataApiException(response.StatusCode, errors, RetryAfter(response));
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static ResiliencePipeline<HttpResponseMessage> Pipeline(KantataClientOptions options, params HttpStatusCode[] statuses)
    {
        if (options.MaxRetries <= 0) return ResiliencePipeline<HttpResponseMessage>.Empty;
        return new ResiliencePipelineBuilder<HttpResponseMessage>().AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = options.MaxRetries,
            // A Retry-After beyond the bound is not waited for: the caller gets the error and its RetryAfter now.
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { } r && statuses.Contains(r.StatusCode)
                && (RetryAfter(r) ?? TimeSpan.Zero) <= options.MaxRetryDelay),
            DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } r ? RetryAfter(r) : null),
            // Without Retry-After: 1 s, 2 s, 4 s… jittered, so clients that failed together do not retry together.
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromSeconds(1),
            MaxDelay = options.MaxRetryDelay,
            UseJitter = true,
            OnRetry = args =>
            {
                args.Outcome.Result?.Dispose();
                return ValueTask.CompletedTask;
            },
        }).Build();
    }

    private static Uri ApiRootOf(Uri url)
    {
        var text = url.ToString();
        if (!text.EndsWith('/')) text += "/";
        // A bare server address gets the API's path; an address that already has a path is used as given.
        if (new Uri(text).AbsolutePath == "/") text += "api/v1/";
        return new Uri(text);
    }
}
