using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Caching.Memory;
using Xref.Accounts;

namespace Xref.Auth;

/// <summary>
/// Resolves a bearer token to its <see cref="Caller"/>. A lookup is cached for at most one second, so a
/// revoked token stops working within a second on every node without a database round-trip per request.
/// The cache holds at most <see cref="MaxCachedTokens"/> entries, and unknown tokens are limited per address
/// (<see cref="FailedAuthentications"/>) before they cost a lookup.
/// </summary>
public sealed class TokenAuthenticator(AccountStore accounts, FailedAuthentications failures, TimeProvider clock, ILogger<TokenAuthenticator> logger)
    : IDisposable
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(1);
    private const int MaxCachedTokens = 100_000;
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<long, long> lastUsedWritten = new();
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = MaxCachedTokens });

    /// <summary>True when this hash belongs to a token this node found valid in the last second (the rate limiter's partition).</summary>
    public bool IsKnownValid(string hash) => cache.TryGetValue(hash, out Caller? caller) && caller is not null;

    /// <param name="hash">The bearer token's hash (<see cref="Tokens.BearerHash"/>), or null when there is none.</param>
    /// <param name="address">The client's address, for the limit on failed authentications.</param>
    /// <param name="ct">Cancels the lookup.</param>
    public async Task<Caller?> AuthenticateAsync(string? hash, IPAddress? address, CancellationToken ct)
    {
        if (hash is null) return null;
        // The cache key is the hash, never the token, so a heap dump shows no usable secret.
        if (!cache.TryGetValue(hash, out Caller? caller))
        {
            failures.ThrowIfBlocked(address);
            caller = await accounts.FindLiveTokenAsync(hash, ct) is { } found
                ? new Caller(found.Token.Id, found.Token.UserId, found.Token.AccountId, found.Token.CanWrite, found.AutoSubjects)
                : null;
            cache.Set(hash, caller, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = CacheLifetime, Size = 1 });
        }
        if (caller is null)
        {
            failures.Record(address);
            return null;
        }
        await TouchAsync(caller, ct);
        return caller;
    }

    /// <summary>Records <c>last_used_at</c> at most once a minute per token per node: it is approximate by design.</summary>
    private async Task TouchAsync(Caller caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var last = lastUsedWritten.GetValueOrDefault(caller.TokenId);
        if (now - last < LastUsedResolution.TotalSeconds || !lastUsedWritten.TryUpdate(caller.TokenId, now, last) && !lastUsedWritten.TryAdd(caller.TokenId, now))
            return;
        try
        {
            await accounts.TouchTokenAsync(caller.TokenId, now, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not record last use of token {TokenId}", caller.TokenId);
        }
    }

    /// <summary>Forgets every cached lookup (a sandbox reset: the tokens it removed are refused at once).</summary>
    public void Forget() => cache.Compact(1.0);

    public void Dispose() => cache.Dispose();
}
