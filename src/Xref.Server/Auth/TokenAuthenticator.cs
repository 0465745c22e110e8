using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Xref.Accounts;

namespace Xref.Auth;

/// <summary>
/// Resolves a bearer token to its <see cref="Caller"/>. A lookup is cached for at most one second, so a
/// revoked token stops working within a second on every node without a database round-trip per request.
/// </summary>
public sealed class TokenAuthenticator(AccountStore accounts, IMemoryCache cache, TimeProvider clock, ILogger<TokenAuthenticator> logger)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<long, long> lastUsedWritten = new();

    /// <param name="hash">The bearer token's hash (<see cref="Tokens.BearerHash"/>), or null when there is none.</param>
    /// <param name="ct">Cancels the lookup.</param>
    public async Task<Caller?> AuthenticateAsync(string? hash, CancellationToken ct)
    {
        if (hash is null) return null;
        // The cache key is the hash, never the token, so a heap dump shows no usable secret.
        if (!cache.TryGetValue(hash, out Caller? caller))
        {
            caller = await accounts.FindLiveTokenAsync(hash, ct) is { } found
                ? new Caller(found.Token.Id, found.Token.UserId, found.Token.AccountId, found.Token.CanWrite, found.AutoSubjects)
                : null;
            cache.Set(hash, caller, CacheLifetime);
        }
        if (caller is not null) await TouchAsync(caller, ct);
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
}
