using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Xref.Auth;
using Xref.Storage;

namespace Xref.Seeding;

/// <summary>
/// Applies a seed in one transaction: upserts accounts, users and subjects by id (touching <c>updated_at</c>
/// only when something changed), adds tokens it does not know by hash, and never deletes or revives anything.
/// </summary>
public sealed class SeedApplier(Database database, TimeProvider clock, ILogger<SeedApplier> logger)
{
    private const string StateKey = "seed_sha256";

    public async Task ApplyFileAsync(string path, CancellationToken ct)
    {
        string text;
        try { text = await File.ReadAllTextAsync(path, ct); }
        catch (IOException e) { throw new SeedException($"{path}: cannot be read: {e.Message}"); }
        catch (UnauthorizedAccessException e) { throw new SeedException($"{path}: cannot be read: {e.Message}"); }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        var seed = Seed.Parse(text, path);
        var applied = await database.WriteAsync(async (c, tx) =>
        {
            var last = await c.ExecuteScalarAsync<string?>("SELECT value FROM xref_state WHERE key = @StateKey", new { StateKey }, tx);
            if (last == hash) return false;
            await ApplyAsync(c, tx, seed, path);
            await c.ExecuteAsync("""
                INSERT INTO xref_state (key, value) VALUES (@StateKey, @hash)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """, new { StateKey, hash }, tx);
            return true;
        }, ct);
        if (applied) logger.LogInformation("Applied seed {Path}: {Accounts} account(s)", path, seed.Accounts.Count);
        else logger.LogInformation("Seed {Path} is unchanged since it was last applied; skipped", path);
    }

    public async Task ApplyAsync(DbConnection c, DbTransaction tx, Seed seed, string place)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        foreach (var account in seed.Accounts)
        {
            await CheckOwnersAsync(c, tx, account, place);
            await c.ExecuteAsync("""
                INSERT INTO accounts (id, name, auto_subjects, created_at, updated_at) VALUES (@Id, @Name, @AutoSubjects, @now, @now)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, auto_subjects = excluded.auto_subjects, updated_at = excluded.updated_at
                WHERE accounts.name IS DISTINCT FROM excluded.name OR accounts.auto_subjects IS DISTINCT FROM excluded.auto_subjects
                """, new { account.Id, account.Name, account.AutoSubjects, now }, tx);
            foreach (var user in account.Users)
            {
                await c.ExecuteAsync("""
                    INSERT INTO users (id, account_id, full_name, email_address, headline, photo_path, created_at, updated_at)
                    VALUES (@Id, @accountId, @FullName, @EmailAddress, @Headline, @PhotoPath, @now, @now)
                    ON CONFLICT (id) DO UPDATE SET full_name = excluded.full_name, email_address = excluded.email_address,
                        headline = excluded.headline, photo_path = excluded.photo_path, updated_at = excluded.updated_at
                    WHERE users.full_name IS DISTINCT FROM excluded.full_name OR users.email_address IS DISTINCT FROM excluded.email_address
                       OR users.headline IS DISTINCT FROM excluded.headline OR users.photo_path IS DISTINCT FROM excluded.photo_path
                    """, new { user.Id, accountId = account.Id, user.FullName, user.EmailAddress, user.Headline, user.PhotoPath, now }, tx);
                foreach (var token in user.Tokens)
                    // Matched by hash: a stored token, revoked or not, is left exactly as it is.
                    await c.ExecuteAsync("""
                        INSERT INTO api_tokens (account_id, user_id, token_hash, scope, created_at)
                        VALUES (@accountId, @userId, @hash, @Scope, @now)
                        ON CONFLICT (token_hash) DO NOTHING
                        """, new { accountId = account.Id, userId = user.Id, hash = Tokens.Hash(token.Token), token.Scope, now }, tx);
            }
            foreach (var subject in account.Subjects)
                await c.ExecuteAsync("""
                    INSERT INTO subjects (type, id, account_id, attributes, created_at, updated_at)
                    VALUES (@Type, @Id, @accountId, @Attributes, @now, @now)
                    ON CONFLICT (type, id) DO UPDATE SET attributes = excluded.attributes, updated_at = excluded.updated_at
                    WHERE subjects.attributes IS DISTINCT FROM excluded.attributes
                    """, new { subject.Type, subject.Id, accountId = account.Id, subject.Attributes, now }, tx);
        }
    }

    /// <summary>Ids are global: a user or subject already owned by another account is a seed error.</summary>
    private static async Task CheckOwnersAsync(DbConnection c, DbTransaction tx, SeedAccount account, string place)
    {
        foreach (var user in account.Users)
        {
            var owner = await c.ExecuteScalarAsync<long?>("SELECT account_id FROM users WHERE id = @Id", new { user.Id }, tx);
            if (owner is { } o && o != account.Id)
                throw new SeedException($"{place}: account {account.Id}: user {user.Id} already belongs to account {o}; ids are global.");
        }
        foreach (var subject in account.Subjects)
        {
            var owner = await c.ExecuteScalarAsync<long?>("SELECT account_id FROM subjects WHERE type = @Type AND id = @Id", new { subject.Type, subject.Id }, tx);
            if (owner is { } o && o != account.Id)
                throw new SeedException($"{place}: account {account.Id}: {subject.Type} {subject.Id} already belongs to account {o}; ids are global.");
        }
    }
}
