using System.Net;
using System.Threading.RateLimiting;
using Xref.Wire;

namespace Xref.Auth;

/// <summary>
/// Failed authentications per client address: each unknown or revoked token spends one permit of its address's
/// bucket (<see cref="Burst"/>, refilled at <see cref="PerSecond"/> a second); once the bucket is empty, a token the
/// node does not already know is answered 429 before it costs a database lookup. Token guessing from one address is
/// so held to a few guesses a second. Off when rate limiting is off (<c>--rate-limit off</c>).
/// <para>
/// A valid token the node has seen in the last second still works from a blocked address; a valid token it has not
/// (a client behind the same NAT as the guesser) waits like the guesser, for at most <c>Burst / PerSecond</c> seconds.
/// Idle buckets are dropped by the limiter (System.Threading.RateLimiting), so memory is bounded by the addresses
/// active in the last seconds.
/// </para>
/// </summary>
public sealed class FailedAuthentications(bool enabled) : IDisposable
{
    public const int Burst = 20;
    public const int PerSecond = 2;

    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Burst,
            TokensPerPeriod = PerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Throws 429 when <paramref name="address"/> has no failures left to spend (checked before a lookup).</summary>
    public void ThrowIfBlocked(IPAddress? address)
    {
        if (IsBlocked(address)) throw Blocked();
    }

    /// <summary>
    /// True when <paramref name="address"/> has not one whole failure left to spend. (Asking the bucket for 0 permits
    /// is no test: it succeeds with a fraction of a permit refilled.)
    /// </summary>
    public bool IsBlocked(IPAddress? address) =>
        enabled && limiter.GetStatistics(Key(address)) is { CurrentAvailablePermits: < 1 };

    /// <summary>Records a failed authentication from <paramref name="address"/>.</summary>
    public void Record(IPAddress? address)
    {
        if (!enabled) return;
        using var lease = limiter.AttemptAcquire(Key(address), 1);
    }

    private static string Key(IPAddress? address) => address?.ToString() ?? "unknown";

    private static ApiException Blocked() => new(429, [ApiError.System(
        $"Too many failed authentications from this address (more than {Burst}, then {PerSecond} a second); check the token and retry after the Retry-After delay.")],
        TimeSpan.FromSeconds(1));

    public void Dispose() => limiter.Dispose();
}
