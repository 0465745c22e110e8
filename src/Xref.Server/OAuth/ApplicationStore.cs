using System.Data.Common;
using Xref.Accounts;
using Xref.Storage;
using Xref.Wire;

namespace Xref.OAuth;

/// <summary>
/// All SQL on <c>oauth_applications</c> and <c>oauth_authorization_codes</c>. Secrets and codes are stored and found
/// only by their SHA-256 hash. The tokens a code is exchanged for are <c>api_tokens</c> rows, written through
/// <see cref="AccountStore"/> inside this store's transactions.
/// </summary>
public sealed partial class ApplicationStore(Database database, AccountStore accounts, TimeProvider clock)
{
    /// <summary>How long an authorization code may be exchanged, by Xref's clock (Kantata OX: 5 minutes).</summary>
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Used and expired codes are kept this long after they expire, so a late replay still finds (and revokes) the
    /// token it produced; older ones are deleted when a new code is issued.
    /// </summary>
    private static readonly TimeSpan CodeRetention = TimeSpan.FromDays(1);

    private const string Select = $"SELECT {OAuthApplication.Columns} FROM oauth_applications";

    private long Now => WireValues.Now(clock);

    /// <summary>Registers an application; null when the account does not exist.</summary>
    public Task<long?> CreateAsync(long accountId, string name, string clientId, string secretHash, IReadOnlyList<string> redirectUris, CancellationToken ct) =>
        database.WriteAsync(async (c, tx) =>
        {
            if (!await accounts.AccountExistsAsync(c, tx, accountId, ct)) return null;
            long? id = null;
            await database.RunAsync(c, tx, Statement.FirstRow("""
                INSERT INTO oauth_applications (account_id, name, client_id, client_secret_hash, redirect_uris, created_at)
                VALUES (@account, @name, @client, @secret, @uris, @now) RETURNING id
                """, new SqlParameters().Add("account", accountId).Add("name", name).Add("client", clientId).Add("secret", secretHash)
                    .Add("uris", OAuthApplication.SerializeUris(redirectUris)).Add("now", Now), r => id = r.Int64("id")), ct);
            return id;
        }, ct);

    public Task<List<OAuthApplication>> ListAsync(long? accountId, CancellationToken ct) => database.ReadAsync(c => database.QueryAsync(c, null,
        $"{Select} WHERE @account IS NULL OR account_id = @account ORDER BY id",
        new SqlParameters().Add("account", accountId, System.Data.DbType.Int64), OAuthApplication.Reader, ct), ct);

    /// <summary>The application with this client id, or null.</summary>
    public Task<OAuthApplication?> FindByClientIdAsync(string clientId, CancellationToken ct) => database.ReadAsync(async c =>
        (await database.QueryAsync(c, null, $"{Select} WHERE client_id = @client", new SqlParameters().Add("client", clientId),
            OAuthApplication.Reader, ct)).FirstOrDefault(), ct);

    /// <summary>
    /// Deletes an application with its codes, and revokes its tokens in the same transaction, so every node refuses
    /// them within the token cache's second. Returns how many tokens were revoked; null when there is no such application.
    /// </summary>
    public Task<int?> DeleteAsync(long id, CancellationToken ct) => database.WriteAsync(async (c, tx) =>
    {
        var revoked = await accounts.RevokeApplicationTokensAsync(c, tx, id, Now, ct);
        var deleted = false;
        await database.RunAsync(c, tx, Statement.FirstRow("DELETE FROM oauth_applications WHERE id = @id RETURNING id",
            new SqlParameters().Add("id", id), _ => deleted = true), ct);
        return deleted ? (int?)revoked : null;
    }, ct);

    /// <summary>The account that owns the application with this client id, or null when there is none (seed checks).</summary>
    public async Task<long?> ClientOwnerAsync(DbConnection c, DbTransaction tx, string clientId, CancellationToken ct)
    {
        long? owner = null;
        await database.RunAsync(c, tx, Statement.FirstRow("SELECT account_id FROM oauth_applications WHERE client_id = @client",
            new SqlParameters().Add("client", clientId), r => owner = r.Int64("account_id")), ct);
        return owner;
    }

    /// <summary>A seed's application, by client id: inserted, or updated only where a value differs (re-applying changes nothing).</summary>
    public Task UpsertSeedAsync(DbConnection c, DbTransaction tx, long accountId, string clientId, string secretHash, string name,
        IReadOnlyList<string> redirectUris, long now, CancellationToken ct) =>
        database.RunAsync(c, tx, Statement.Execute("""
            INSERT INTO oauth_applications (account_id, name, client_id, client_secret_hash, redirect_uris, created_at)
            VALUES (@account, @name, @client, @secret, @uris, @now)
            ON CONFLICT (client_id) DO UPDATE SET name = excluded.name, client_secret_hash = excluded.client_secret_hash,
                redirect_uris = excluded.redirect_uris
            WHERE oauth_applications.account_id = excluded.account_id
              AND (oauth_applications.name <> excluded.name OR oauth_applications.client_secret_hash <> excluded.client_secret_hash
                   OR oauth_applications.redirect_uris <> excluded.redirect_uris)
            """, new SqlParameters().Add("account", accountId).Add("name", name).Add("client", clientId).Add("secret", secretHash)
                .Add("uris", OAuthApplication.SerializeUris(redirectUris)).Add("now", now)), ct);

    /// <summary>
    /// Stores a code (by its hash) for <paramref name="userId"/>, valid for <see cref="CodeLifetime"/>; false when the
    /// user is not one of the application's account. Codes past their retention are deleted on the way.
    /// </summary>
    public Task<bool> IssueCodeAsync(OAuthApplication application, long userId, string redirectUri, string codeHash, CancellationToken ct) =>
        database.WriteAsync(async (c, tx) =>
        {
            if (await accounts.UserAccountAsync(c, tx, userId, ct) != application.AccountId) return false;
            var now = Now;
            await database.RunAsync(c, tx, [
                Statement.Execute("DELETE FROM oauth_authorization_codes WHERE expires_at < @before",
                    new SqlParameters().Add("before", now - (long)CodeRetention.TotalSeconds)),
                Statement.Execute("""
                    INSERT INTO oauth_authorization_codes (code_hash, application_id, user_id, redirect_uri, expires_at)
                    VALUES (@hash, @application, @user, @uri, @expires)
                    """, new SqlParameters().Add("hash", codeHash).Add("application", application.Id).Add("user", userId)
                        .Add("uri", redirectUri).Add("expires", now + (long)CodeLifetime.TotalSeconds)),
            ], ct);
            return true;
        }, ct);

    /// <summary>
    /// Exchanges a code for a new write token of its user (stored by <paramref name="tokenHash"/>), in one transaction:
    /// the code is claimed by one conditional UPDATE, so of two concurrent exchanges one wins. A code already used is a
    /// replay: the token it gave is revoked (RFC 6749 §10.5), and the revocation commits although the exchange fails.
    /// </summary>
    public Task<CodeExchange> ExchangeCodeAsync(OAuthApplication application, string codeHash, string redirectUri, string tokenHash, CancellationToken ct) =>
        database.WriteAsync(async (c, tx) =>
        {
            var now = Now;
            long? userId = null;
            await database.RunAsync(c, tx, Statement.FirstRow("""
                UPDATE oauth_authorization_codes SET used_at = @now
                WHERE code_hash = @hash AND application_id = @application AND redirect_uri = @uri AND used_at IS NULL AND expires_at > @now
                RETURNING user_id
                """, new SqlParameters().Add("hash", codeHash).Add("application", application.Id).Add("uri", redirectUri).Add("now", now),
                r => userId = r.Int64("user_id")), ct);
            if (userId is { } user)
            {
                var tokenId = await accounts.AddTokenAsync(c, tx, application.AccountId, user, tokenHash, "write", application.Id, now, ct);
                await database.RunAsync(c, tx, Statement.Execute("UPDATE oauth_authorization_codes SET token_id = @token WHERE code_hash = @hash",
                    new SqlParameters().Add("token", tokenId).Add("hash", codeHash)), ct);
                return CodeExchange.Issued;
            }

            (long Application, string Uri, long Expires, long? Used, long? Token)? code = null;
            await database.RunAsync(c, tx, Statement.FirstRow(
                "SELECT application_id, redirect_uri, expires_at, used_at, token_id FROM oauth_authorization_codes WHERE code_hash = @hash",
                new SqlParameters().Add("hash", codeHash), r => code = (r.Int64("application_id"), r.GetString(r.GetOrdinal("redirect_uri")),
                    r.Int64("expires_at"), r.NullableInt64(r.GetOrdinal("used_at")), r.NullableInt64(r.GetOrdinal("token_id")))), ct);
            // Another client's code is answered as an unknown one: a client learns nothing about codes not issued to it.
            if (code is not { } found || found.Application != application.Id) return CodeExchange.Unknown;
            if (found.Used is not null)
            {
                if (found.Token is { } token) await accounts.RevokeIssuedTokenAsync(c, tx, token, now, ct);
                return CodeExchange.Replayed;
            }
            if (found.Expires <= now) return CodeExchange.Expired;
            return CodeExchange.RedirectMismatch;
        }, ct);
}

/// <summary>What <see cref="ApplicationStore.ExchangeCodeAsync"/> found.</summary>
public enum CodeExchange { Issued, Unknown, Replayed, Expired, RedirectMismatch }
