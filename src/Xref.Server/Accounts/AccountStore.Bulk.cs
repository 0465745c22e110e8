using Xref.Storage;

namespace Xref.Accounts;

/// <summary>The export and restore of <c>accounts</c>, <c>users</c> and <c>api_tokens</c> (<c>xref export</c>, <c>xref import</c>).</summary>
public sealed partial class AccountStore
{
    /// <summary>The parent every account-owned row needs (declared first: static fields are initialised in order).</summary>
    public static readonly BulkParent AccountExists = new("EXISTS (SELECT 1 FROM accounts WHERE id = @account_id)", MissingAccount("{account_id}"));

    /// <summary>Why a record of a missing account is rejected, and what to do.</summary>
    public static string MissingAccount(string id) =>
        $"account {id} does not exist: import its account record first (an export of this version has it), or create it with `xref accounts create`.";

    public static readonly BulkTable AccountsTable = new("accounts",
    [
        new("id", ColumnKind.Id), new("name", ColumnKind.Text), new("auto_subjects", ColumnKind.Boolean),
        new("created_at", ColumnKind.Timestamp), new("updated_at", ColumnKind.Timestamp),
    ], AccountColumn: "id", OrderBy: "id", HasIdentity: false, Parents: []);

    /// <summary>User ids are global, so a user belongs to exactly one account.</summary>
    public static readonly BulkTable UsersTable = new("users",
    [
        new("id", ColumnKind.Id), new("account_id", ColumnKind.Id), new("full_name", ColumnKind.Text, Nullable: true),
        new("email_address", ColumnKind.Text, Nullable: true), new("headline", ColumnKind.Text, Nullable: true),
        new("photo_path", ColumnKind.Text, Nullable: true), new("created_at", ColumnKind.Timestamp), new("updated_at", ColumnKind.Timestamp),
    ], AccountColumn: "account_id", OrderBy: "id", HasIdentity: false, Parents: [AccountExists]);

    /// <summary>Tokens travel as their SHA-256 hashes only: the tokens themselves were never stored.</summary>
    public static readonly BulkTable TokensTable = new("api_tokens",
    [
        new("id", ColumnKind.Id), new("account_id", ColumnKind.Id), new("user_id", ColumnKind.Id), new("token_hash", ColumnKind.Text),
        new("scope", ColumnKind.Text, Allowed: ["read", "write"]), new("application_id", ColumnKind.Id, Nullable: true),
        new("created_at", ColumnKind.Timestamp), new("last_used_at", ColumnKind.Timestamp, Nullable: true),
        new("revoked_at", ColumnKind.Timestamp, Nullable: true),
    ], AccountColumn: "account_id", OrderBy: "id", HasIdentity: true,
    [
        AccountExists,
        new("EXISTS (SELECT 1 FROM users WHERE id = @user_id AND account_id = @account_id)", "user {user_id} is not in account {account_id}."),
        new("@application_id IS NULL OR EXISTS (SELECT 1 FROM oauth_applications WHERE id = @application_id AND account_id = @account_id)",
            "application {application_id} is not in account {account_id}."),
    ]);

    /// <summary>Account <paramref name="id"/>, or null when there is none (an import checks each account its lines name once).</summary>
    public Task<Account?> FindAccountAsync(long id, CancellationToken ct) => database.ReadAsync(async c =>
        (await database.QueryAsync(c, null, "SELECT id, name, auto_subjects, created_at FROM accounts WHERE id = @id",
            new SqlParameters().Add("id", id), AccountReader, ct)).FirstOrDefault(), ct);
}
