using System.Net;

namespace Xref.Client;

/// <summary>One entry of an error body's <c>errors</c> array.</summary>
/// <param name="Type">The error's type: <c>validation</c>, <c>oauth</c>, <c>system</c>…</param>
/// <param name="Message">What went wrong, for a person.</param>
/// <param name="Field">The field or parameter at fault, for validation errors.</param>
public sealed record KantataError(string Type, string Message, string? Field = null);

/// <summary><c>{"errors": [...]}</c>.</summary>
internal sealed record KantataErrorBody(IReadOnlyList<KantataError>? Errors);

/// <summary>
/// Every failed call: the HTTP status and the <c>errors[]</c> entries of the body (for an OAuth error, one entry whose
/// type is the RFC 6749 error code). A body that is not in that format gives one entry of type <c>http</c>.
/// </summary>
public sealed class KantataApiException : Exception
{
    /// <summary>Creates the exception for a response.</summary>
    public KantataApiException(HttpStatusCode status, IReadOnlyList<KantataError> errors, TimeSpan? retryAfter = null)
        : base(Describe(status, errors))
    {
        Status = status;
        Errors = errors;
        RetryAfter = retryAfter;
    }

    /// <summary>The response's status.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The <c>errors</c> entries, in the order the server gave them.</summary>
    public IReadOnlyList<KantataError> Errors { get; }

    /// <summary>The <c>Retry-After</c> delay of a 429 or 503 (after the client's own retries gave up).</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The exception for a failed response of a call made without the client (its body is read).</summary>
    public static Task<KantataApiException> FromResponseAsync(HttpResponseMessage response, CancellationToken ct = default) =>
        KantataTransport.ErrorAsync(response, ct);

    private static string Describe(HttpStatusCode status, IReadOnlyList<KantataError> errors) =>
        $"Kantata answered {(int)status} {status}: " +
        string.Join("; ", errors.Select(e => e.Field is null ? e.Message : $"{e.Field}: {e.Message}"));
}
