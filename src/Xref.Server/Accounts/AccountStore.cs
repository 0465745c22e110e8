using System.Data;
using System.Data.Common;
using Xref.Storage;
using Xref.Subjects;
using Xref.Wire;

namespace Xref.Accounts;

/// <summary>
/// All SQL on <c>accounts</c>, <c>users</c> and <c>api_tokens</c>. Tokens are only ever stored and found by their hash.
/// The OAuth application store issues and revokes its tokens through the methods here that take its transaction.
/// </summary>
public sealed partial class AccountStore(Database database, TimeProvider clock) : ISubjectSource
{
    private const string TokenColumns = "t.id, t.account_id, t.user_id, t.scope, t.created_at, t.last_used_at, t.revoked_at, t.application_id";

    private long Now => WireValues.Now(clock);

    // ---- accounts

    /// <summary>Creates an account with <paramref name="id"/> (or the next free one); null when that id is taken.</summary>
    public Task<long?> CreateAccountAsync(long? id, string name, bool autoSubjects, CancellationToken ct) =>
        database.WriteAsync(async (c, tx) =>
        {
            var accountId = id ?? await NextIdAsync(c, tx, "accounts", ct);
            if (await ExistsAsync(c, tx, "accounts", accountId, ct)) return (long?)null;
            await database.RunAsync(c, tx, Statement.Execute(
                "INSERT INTO accounts (id, name, auto_subjects, created_at, updated_at) VALUES (@id, @name, @auto, @now, @now)",
                new SqlParameters().Add("id", accountId).Add("name", name).Add("auto", autoSubjects).Add("now", Now)), ct);
            return accountId;
        }, ct);

    public Task<List<Account>> ListAccountsAsync(CancellationToken ct) => database.ReadAsync(c => database.QueryAsync(c, null,
        "SELECT id, name, auto_subjects, created_at FROM accounts ORDER BY id", SqlParameters.None, AccountReader, ct), ct);

    public Task<bool> AccountExistsAsync(long id, CancellationToken ct) => database.ReadAsync(c => ExistsAsync(c, null, "accounts", id, ct), ct);

    /// <summary>Whether account <paramref name="id"/> exists, inside the caller's transaction.</summary>
    public Task<bool> AccountExistsAsync(DbConnection c, DbTransaction tx, long id, CancellationToken ct) => ExistsAsync(c, tx, "accounts", id, ct);

    /// <summary>True when the database holds at least one account (start-up says what to do when it holds none).</summary>
    public Task<bool> AnyAccountAsync(CancellationToken ct) => database.ReadAsync(async c =>
    {
        var any = false;
        await database.RunAsync(c, null, Statement.FirstRow("SELECT 1 FROM accounts LIMIT 1", SqlParameters.None, _ => any = true), ct);
        return any;
    }, ct);

    /// <summary>True when the database holds no account yet (the demo account is created only then).</summary>
    public async Task<bool> IsEmptyAsync(DbConnection c, DbTransaction tx, CancellationToken ct)
    {
        var any = false;
        await database.RunAsync(c, tx, Statement.FirstRow("SELECT 1 FROM accounts LIMIT 1", SqlParameters.None, _ => any = true), ct);
        return !any;
    }

    /// <summary>A seed's account: inserted, or updated only where a value differs (so <c>updated_at</c> moves only then).</summary>
    public Task UpsertAccountAsync(DbConnection c, DbTransaction tx, long id, string name, bool autoSubjects, long now, CancellationToken ct) =>
        database.RunAsync(c, tx, Statement.Execute("""
            INSERT INTO accounts (id, name, auto_subjects, created_at, updated_at) VALUES (@id, @name, @auto, @now, @now)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, auto_subjects = excluded.auto_subjects, updated_at = excluded.updated_at
            WHERE accounts.name IS DISTINCT FROM excluded.name OR accounts.auto_subjects IS DISTINCT FROM excluded.auto_subjects
            """, new SqlParameters().Add("id", id).Add("name", name).Add("auto", autoSubjects).Add("now", now)), ct);

    // ---- users

    /// <summary>Creates a user in an account; the outcome says whether the account is missing or the id taken.</summary>
    public Task<(UserCreation Outcome, long Id)> CreateUserAsync(long accountId, long? id, string name, string? email, string? headline, CancellationToken ct) =>
        database.WriteAsync(async (c, tx) =>
        {
            if (!await ExistsAsync(c, tx, "accounts", accountId, ct)) return (UserCreation.NoSuchAccount, 0L);
            var userId = id ?? await NextIdAsync(c, tx, "users", ct);
            if (await ExistsAsync(c, tx, "users", userId, ct)) return (UserCreation.IdTaken, userId);
            await database.RunAsync(c, tx, Statement.Execute("""
                INSERT INTO users (id, account_id, full_name, email_address, headline, created_at, updated_at)
                VALUES (@id, @account, @name, @email, @headline, @now, @now)
                """, new SqlParameters().Add("id", userId).Add("account", accountId).Add("name", name).Add("email", email)
                    .Add("headline", headline).Add("now", Now)), ct);
            return (UserCreation.Created, userId);
        }, ct);

    /// <summary>A seed's user: inserted, or updated only where a value differs.</summary>
    public Task UpsertUserAsync(DbConnection c, DbTransaction tx, long accountId, UserRecord user, long now, CancellationToken ct) =>
        database.RunAsync(c, tx, Statement.Execute("""
            INSERT INTO users (id, account_id, full_name, email_address, headline, photo_path, created_at, updated_at)
            VALUES (@id, @account, @full_name, @email_address, @headline, @photo_path, @now, @now)
            ON CONFLICT (id) DO UPDATE SET full_name = excluded.full_name, email_address = excluded.email_address,
                headline = excluded.headline, photo_path = excluded.photo_path, updated_at = excluded.updated_at
            WHERE users.full_name IS DISTINCT FROM excluded.full_name OR users.email_address IS DISTINCT FROM excluded.email_address
               OR users.headline IS DISTINCT FROM excluded.headline OR users.photo_path IS DISTINCT FROM excluded.photo_path
            """, new SqlParameters().Add("id", user.Id).Add("account", accountId).Add("full_name", user.FullName)
                .Add("email_address", user.EmailAddress).Add("headline", user.Headline).Add("photo_path", user.PhotoPath).Add("now", now)), ct);

    /// <summary>The account that owns user <paramref name="userId"/>, or null when there is no such user.</summary>
    public async Task<long?> UserAccountAsync(DbConnection c, DbTransaction? tx, long userId, CancellationToken ct)
    {
        long? owner = null;
        await database.RunAsync(c, tx, Statement.FirstRow("SELECT account_id FROM users WHERE id = @id",
            new SqlParameters().Add("id", userId), r => owner = r.Int64("account_id")), ct);
        return owner;
    }

    /// <summary>The users of an account in id order (the OAuth authorize page offers them).</summary>
    public Task<List<UserRecord>> ListUsersAsync(long accountId, CancellationToken ct) => database.ReadAsync(c => database.QueryAsync(c, null,
        $"SELECT {UserRecord.Columns} FROM users WHERE account_id = @account ORDER BY id", new SqlParameters().Add("account", accountId),
        UserRecord.Reader, ct), ct);

    /// <summary>Every user, or one account's, in id order, with the account each belongs to (<c>xref users list</c>).</summary>
    public Task<List<(long AccountId, UserRecord User)>> ListAllUsersAsync(long? accountId, CancellationToken ct) => database.ReadAsync(c =>
        database.QueryAsync<(long, UserRecord)>(c, null, $"SELECT account_id, {UserRecord.Columns} FROM users WHERE @account IS NULL OR account_id = @account ORDER BY id",
            new SqlParameters().Add("account", accountId, DbType.Int64), r =>
            {
                var (account, user) = (r.GetOrdinal("account_id"), UserRecord.Reader(r));
                return row => (row.GetInt64(account), user(row));
            }, ct), ct);

    public SubjectTable Table => SubjectTable.Users;

    /// <summary>Users are the <c>User</c> subjects, and the creators and updaters of status reports.</summary>
    public async Task<IReadOnlyList<IWireRecord>> FindAsync(long accountId, SubjectType type, IReadOnlyCollection<long> ids, CancellationToken ct) =>
        await database.FindByIdsAsync("users", UserRecord.Columns, accountId, ids, UserRecord.Reader, ct);

    // ---- tokens

    /// <summary>Stores a token of user <paramref name="userId"/> by its hash; null when there is no such user.</summary>
    public Task<long?> CreateTokenAsync(long userId, string hash, string scope, CancellationToken ct) =>
        database.WriteAsync(async (c, tx) =>
        {
            if (await UserAccountAsync(c, tx, userId, ct) is not { } accountId) return null;
            return (long?)await AddTokenAsync(c, tx, accountId, userId, hash, scope, null, Now, ct);
        }, ct);

    /// <summary>Adds a new token (its hash is new: 256 random bits), issued by <paramref name="applicationId"/> if not null; returns its id.</summary>
    public async Task<long> AddTokenAsync(DbConnection c, DbTransaction tx, long accountId, long userId, string hash, string scope,
        long? applicationId, long now, CancellationToken ct)
    {
        long id = 0;
        await database.RunAsync(c, tx, Statement.FirstRow("""
            INSERT INTO api_tokens (account_id, user_id, token_hash, scope, created_at, application_id)
            VALUES (@account, @user, @hash, @scope, @now, @application) RETURNING id
            """, new SqlParameters().Add("account", accountId).Add("user", userId).Add("hash", hash).Add("scope", scope).Add("now", now)
                .Add("application", applicationId, DbType.Int64), r => id = r.Int64("id")), ct);
        return id;
    }

    /// <summary>Revokes token <paramref name="id"/> inside the caller's transaction (a replayed authorization code's token).</summary>
    public Task RevokeIssuedTokenAsync(DbConnection c, DbTransaction tx, long id, long now, CancellationToken ct) =>
        database.RunAsync(c, tx, Statement.Execute("UPDATE api_tokens SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL",
            new SqlParameters().Add("id", id).Add("now", now)), ct);

    /// <summary>Revokes every live token an application issued, inside the transaction that deletes it; returns how many.</summary>
    public async Task<int> RevokeApplicationTokensAsync(DbConnection c, DbTransaction tx, long applicationId, long now, CancellationToken ct)
    {
        var revoked = new List<long>();
        await database.RunAsync(c, tx, Statement.Rows(
            "UPDATE api_tokens SET revoked_at = @now WHERE application_id = @application AND revoked_at IS NULL RETURNING id",
            new SqlParameters().Add("application", applicationId).Add("now", now), IdReader, revoked), ct);
        return revoked.Count;
    }

    private static Func<DbDataReader, long> IdReader(DbDataReader r)
    {
        var id = r.GetOrdinal("id");
        return r => r.GetInt64(id);
    }

    /// <summary>
    /// A seed's token: added, or, when its hash is stored and not revoked, given the seed's user and scope, so the
    /// database never silently differs from the file. A revoked token stays revoked: a seed never revives one.
    /// </summary>
    public Task UpsertSeedTokenAsync(DbConnection c, DbTransaction tx, long accountId, long userId, string hash, string scope, long now, CancellationToken ct) =>
        database.RunAsync(c, tx, Statement.Execute("""
            INSERT INTO api_tokens (account_id, user_id, token_hash, scope, created_at) VALUES (@account, @user, @hash, @scope, @now)
            ON CONFLICT (token_hash) DO UPDATE SET account_id = excluded.account_id, user_id = excluded.user_id, scope = excluded.scope
            WHERE api_tokens.revoked_at IS NULL
              AND (api_tokens.user_id <> excluded.user_id OR api_tokens.scope <> excluded.scope OR api_tokens.account_id <> excluded.account_id)
            """, new SqlParameters().Add("account", accountId).Add("user", userId).Add("hash", hash).Add("scope", scope).Add("now", now)), ct);

    public Task<List<ApiToken>> ListTokensAsync(long? accountId, CancellationToken ct) => database.ReadAsync(c => database.QueryAsync(c, null,
        $"SELECT {TokenColumns} FROM api_tokens t WHERE @account IS NULL OR t.account_id = @account ORDER BY t.id",
        new SqlParameters().Add("account", accountId, DbType.Int64), TokenReader, ct), ct);

    /// <summary>Revokes token <paramref name="id"/>; every node refuses it within a second.</summary>
    public Task<TokenRevocation> RevokeTokenAsync(long id, CancellationToken ct) => database.WriteAsync(async (c, tx) =>
    {
        var revoked = false;
        await database.RunAsync(c, tx, Statement.FirstRow("UPDATE api_tokens SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL RETURNING id",
            new SqlParameters().Add("id", id).Add("now", Now), _ => revoked = true), ct);
        if (revoked) return TokenRevocation.Revoked;
        return await ExistsAsync(c, tx, "api_tokens", id, ct) ? TokenRevocation.AlreadyRevoked : TokenRevocation.NotFound;
    }, ct);

    /// <summary>The id of the token with this hash, revoked or not; null when none (<c>xref tokens revoke</c> given a token).</summary>
    public Task<long?> FindTokenIdAsync(string hash, CancellationToken ct) => database.ReadAsync(async c =>
    {
        long? id = null;
        await database.RunAsync(c, null, Statement.FirstRow("SELECT id FROM api_tokens WHERE token_hash = @hash",
            new SqlParameters().Add("hash", hash), r => id = r.Int64("id")), ct);
        return id;
    }, ct);

    /// <summary>The live (not revoked) token with this hash and whether its account creates missing subjects; null when none.</summary>
    public Task<(ApiToken Token, bool AutoSubjects)?> FindLiveTokenAsync(string hash, CancellationToken ct) => database.ReadAsync(async c =>
    {
        (ApiToken, bool)? found = null;
        await database.RunAsync(c, null, Statement.FirstRow($"""
            SELECT {TokenColumns}, a.auto_subjects
            FROM api_tokens t JOIN accounts a ON a.id = t.account_id
            WHERE t.token_hash = @hash AND t.revoked_at IS NULL
            """, new SqlParameters().Add("hash", hash), r => found = (TokenReader(r)(r), r.GetBoolean(r.GetOrdinal("auto_subjects")))), ct);
        return found;
    }, ct);

    public Task TouchTokenAsync(long id, long now, CancellationToken ct) =>
        database.WriteAsync([Statement.Execute("UPDATE api_tokens SET last_used_at = @now WHERE id = @id", new SqlParameters().Add("id", id).Add("now", now))], ct);

    // ---- shared

    private static Func<DbDataReader, Account> AccountReader(DbDataReader r)
    {
        int id = r.GetOrdinal("id"), name = r.GetOrdinal("name"), auto = r.GetOrdinal("auto_subjects"), created = r.GetOrdinal("created_at");
        return r => new Account(r.GetInt64(id), r.GetString(name), r.GetBoolean(auto), r.GetInt64(created));
    }

    private static Func<DbDataReader, ApiToken> TokenReader(DbDataReader r)
    {
        int id = r.GetOrdinal("id"), account = r.GetOrdinal("account_id"), user = r.GetOrdinal("user_id"), scope = r.GetOrdinal("scope"),
            created = r.GetOrdinal("created_at"), used = r.GetOrdinal("last_used_at"), revoked = r.GetOrdinal("revoked_at"),
            application = r.GetOrdinal("application_id");
        return r => new ApiToken(r.GetInt64(id), r.GetInt64(account), r.GetInt64(user), r.GetString(scope), r.GetInt64(created),
            r.NullableInt64(used), r.NullableInt64(revoked), r.NullableInt64(application));
    }

    private async Task<bool> ExistsAsync(DbConnection c, DbTransaction? tx, string table, long id, CancellationToken ct)
    {
        var found = false;
        await database.RunAsync(c, tx, Statement.FirstRow($"SELECT 1 FROM {table} WHERE id = @id", new SqlParameters().Add("id", id), _ => found = true), ct);
        return found;
    }

    private async Task<long> NextIdAsync(DbConnection c, DbTransaction tx, string table, CancellationToken ct)
    {
        long next = 1;
        await database.RunAsync(c, tx, Statement.FirstRow($"SELECT COALESCE(MAX(id), 0) + 1 AS next FROM {table}", SqlParameters.None,
            r => next = r.Int64("next")), ct);
        return next;
    }
}

/// <summary>What <see cref="AccountStore.CreateUserAsync"/> did.</summary>
public enum UserCreation { Created, NoSuchAccount, IdTaken }

/// <summary>What <see cref="AccountStore.RevokeTokenAsync"/> did.</summary>
public enum TokenRevocation { Revoked, AlreadyRevoked, NotFound }
