using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Xref.Auth;
using Xref.Wire;

namespace Xref.Hosting;

/// <summary>
/// Per-token rate limiting with ASP.NET Core's rate limiter: a token bucket of <c>burst</c> requests refilled
/// at <c>permits</c> per second, per token and per node (<c>--rate-limit 50/200</c>, <c>off</c> to disable).
/// Requests without a token share one bucket per client address. A noisy token never slows another.
/// </summary>
public static class RateLimits
{
    public const string PolicyName = "per-token";

    public sealed record Setting(int PermitsPerSecond, int Burst)
    {
        public static readonly Setting Default = new(50, 200);

        /// <summary>Parses <c>permits/burst</c>, <c>permits</c> (burst = permits) or <c>off</c> (null).</summary>
        public static Setting? Parse(string? value)
        {
            if (string.IsNullOrWhiteSpace(value)) return Default;
            if (value.Trim().Equals("off", StringComparison.OrdinalIgnoreCase)) return null;
            var parts = value.Split('/', StringSplitOptions.TrimEntries);
            if (parts.Length is 1 or 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var permits) && permits > 0)
            {
                var burst = permits;
                if (parts.Length == 1 || int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out burst) && burst > 0)
                    return new Setting(permits, burst);
            }
            throw new FormatException($"--rate-limit '{value}' must be <permits per second>/<burst> (such as 50/200) or off.");
        }
    }

    /// <summary>The configured limit (null when off), read once from <see cref="XrefOptions"/>.</summary>
    public sealed record Configured(Setting? Setting);

    public static IServiceCollection AddXrefRateLimits(this IServiceCollection services)
    {
        services.AddSingleton(sp => new Configured(Setting.Parse(sp.GetRequiredService<IOptions<XrefOptions>>().Value.RateLimit)));
        services.AddRateLimiter(options =>
        {
            options.OnRejected = async (context, ct) =>
            {
                Observability.XrefMetrics.RateLimitRejections.Add(1);
                var setting = context.HttpContext.RequestServices.GetRequiredService<Configured>().Setting;
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
                await ErrorBody.WriteAsync(context.HttpContext.Response, 429,
                    [ApiError.System($"Too many requests {(PartitionKey(context.HttpContext).StartsWith("ip:", StringComparison.Ordinal) ? "from this address" : "for this token")}; the limit is {setting?.PermitsPerSecond} per second with bursts of {setting?.Burst}. Retry after the Retry-After delay.")],
                    wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait);
            };
            options.AddPolicy(PolicyName, context => context.RequestServices.GetRequiredService<Configured>().Setting is not { } setting
                ? RateLimitPartition.GetNoLimiter("off")
                : RateLimitPartition.GetTokenBucketLimiter(PartitionKey(context), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = setting.Burst,
                    TokensPerPeriod = setting.PermitsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
        });
        return services;
    }

    /// <summary>
    /// The token's hash (never the token itself), or the client address when there is no token, or when the address
    /// has spent its failed authentications (<see cref="FailedAuthentications"/>) and the token is not one this node
    /// knows to be valid: made-up tokens then share their sender's bucket instead of each creating one, so the
    /// partitions stay bounded by the addresses (each address creates at most a few token buckets before it is blocked).
    /// </summary>
    private static string PartitionKey(HttpContext context)
    {
        if (Tokens.BearerHash(context) is not { } hash) return "ip:" + context.Connection.RemoteIpAddress;
        var services = context.RequestServices;
        return services.GetRequiredService<TokenAuthenticator>().IsKnownValid(hash)
            || !services.GetRequiredService<FailedAuthentications>().IsBlocked(context.Connection.RemoteIpAddress)
            ? "t:" + hash
            : "ip:" + context.Connection.RemoteIpAddress;
    }
}
