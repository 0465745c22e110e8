namespace Xref.Accounts;

/// <summary>A stored API token: never the token itself, which only its SHA-256 hash identifies.</summary>
public sealed record ApiToken(long Id, long AccountId, long UserId, string Scope, long CreatedAt, long? LastUsedAt, long? RevokedAt)
{
    public bool CanWrite => Scope == "write";
}
