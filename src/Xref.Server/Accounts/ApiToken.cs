namespace Xref.Accounts;

/// <summary>
/// A stored API token: never the token itself, which only its SHA-256 hash identifies. <see cref="ApplicationId"/> is
/// the OAuth application that issued it (null for tokens made by the CLI or a seed).
/// </summary>
public sealed record ApiToken(long Id, long AccountId, long UserId, string Scope, long CreatedAt, long? LastUsedAt, long? RevokedAt, long? ApplicationId)
{
    public bool CanWrite => Scope == "write";
}
