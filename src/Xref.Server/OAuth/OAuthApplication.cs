using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using Xref.Auth;
using Xref.Storage;

namespace Xref.OAuth;

/// <summary>
/// An OAuth 2.0 application registered in an account (Kantata OX: "Registering your application"): its name, client
/// id, the hash of its secret, and the callback URIs a code may be sent to.
/// </summary>
public sealed record OAuthApplication(long Id, long AccountId, string Name, string ClientId, string SecretHash, IReadOnlyList<string> RedirectUris, long CreatedAt)
{
    public const string Columns = "id, account_id, name, client_id, client_secret_hash, redirect_uris, created_at";

    /// <summary>The longest application name accepted (Kantata's form limits it; Xref keeps the page readable).</summary>
    public const int MaxNameLength = 255;

    /// <summary>A new client id: 64 hex characters, as Doorkeeper (Kantata's OAuth provider) long generated them.</summary>
    public static string NewClientId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>A new client secret: 256 random bits, printed once and stored only as its SHA-256 hash.</summary>
    public static string NewSecret() => Tokens.Generate()[Tokens.Prefix.Length..];

    /// <summary>True when <paramref name="secret"/> is this application's secret (hashes compared in constant time).</summary>
    public bool HasSecret(string secret) => CryptographicOperations.FixedTimeEquals(
        Convert.FromHexString(Tokens.Hash(secret)), Convert.FromHexString(SecretHash));

    /// <summary>True when <paramref name="uri"/> is registered, compared as a whole string (RFC 6749 §3.1.2.3, as Doorkeeper does).</summary>
    public bool Allows(string? uri) => uri is not null && RedirectUris.Contains(uri, StringComparer.Ordinal);

    public static string SerializeUris(IReadOnlyList<string> uris) => JsonSerializer.Serialize(uris);

    /// <summary>Reads rows of <see cref="Columns"/>.</summary>
    public static Func<DbDataReader, OAuthApplication> Reader(DbDataReader r)
    {
        int id = r.GetOrdinal("id"), account = r.GetOrdinal("account_id"), name = r.GetOrdinal("name"), client = r.GetOrdinal("client_id"),
            secret = r.GetOrdinal("client_secret_hash"), uris = r.GetOrdinal("redirect_uris"), created = r.GetOrdinal("created_at");
        return r => new OAuthApplication(r.GetInt64(id), r.GetInt64(account), r.GetString(name), r.GetString(client), r.GetString(secret),
            JsonSerializer.Deserialize<string[]>(r.GetString(uris)) ?? [], r.GetInt64(created));
    }
}
