using System.Security.Cryptography;
using System.Text;

namespace Xref.Webhooks;

/// <summary>
/// An account's webhook receiver: where to POST, which events, and the secret each delivery is signed with.
/// Registered by the operator (<c>xref webhooks add</c>), so its URL is trusted as the CLI's user is (see
/// docs/dashboard.md, "SSRF"); it is still limited to absolute http(s) URLs without credentials or fragment.
/// </summary>
public sealed record WebhookSubscription(long Id, long AccountId, string Url, bool OnFailed, bool OnRecovered, long CreatedAt)
{
    public const string Failed = "reference.failed";
    public const string Recovered = "reference.recovered";
    public static readonly string[] Events = [Failed, Recovered];
    public const int MaxUrlLength = 2048;

    public string EventList => string.Join(",", Events.Where((_, i) => i == 0 ? OnFailed : OnRecovered));

    /// <summary>A new secret: <c>whsec_</c> and 43 base64url characters (256 bits), shown once at creation.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Why <paramref name="url"/> cannot receive webhooks, or null when it can.</summary>
    public static string? UrlProblem(string url)
    {
        if (url.Length > MaxUrlLength) return $"a URL of at most {MaxUrlLength} characters is required";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return "an absolute http:// or https:// URL is required";
        if (uri.UserInfo.Length > 0) return "credentials in the URL would be listed and logged; put them in the path or use the signature";
        if (uri.Fragment.Length > 0) return "a URL without a #fragment is required (it is never sent)";
        return null;
    }

    /// <summary>
    /// The signature header's value: <c>sha256=</c> and the hex HMAC-SHA256, keyed with the secret, of
    /// <c>"{timestamp}.{body}"</c>. The timestamp (also sent as <c>X-Xref-Timestamp</c>) is signed with the body so that
    /// a receiver that refuses old timestamps cannot be sent a captured delivery again later.
    /// </summary>
    public static string Signature(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }
}

/// <summary>One event for one subscription: its delivery state, attempts and last outcome (the delivery log).</summary>
public sealed record WebhookDelivery(long Id, long SubscriptionId, string Event, long ReferenceId, string? PreviousStatus,
    long OccurredAt, string State, int Attempts, long? LastAttemptMs, int? ResponseStatus, string? LastError);
