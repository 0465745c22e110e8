using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Xref.Accounts;
using Xref.Auth;
using Xref.OAuth;
using Xref.Storage;
using Xref.Subjects;

namespace Xref.Seeding;

/// <summary>
/// Applies a seed in one transaction: upserts accounts, users and subjects by id (touching <c>updated_at</c>
/// only when something changed), adds or updates tokens by hash (a revoked one stays revoked), OAuth applications by
/// client id, and never deletes anything.
/// </summary>
public sealed class SeedApplier(Database database, AccountStore accounts, SubjectStore subjects, ApplicationStore applications, TimeProvider clock,
    ILogger<SeedApplier> logger)
{
    public const string StateKey = "seed_sha256";

    /// <summary>Applies the seed file unless it is the one applied last; returns it parsed, with its hash.</summary>
    public async Task<(Seed Seed, string Hash)> ApplyFileAsync(string path, CancellationToken ct)
    {
        string text;
        try { text = await File.ReadAllTextAsync(path, ct); }
        catch (IOException e) { throw new SeedException($"{path}: cannot be read: {e.Message}"); }
        catch (UnauthorizedAccessException e) { throw new SeedException($"{path}: cannot be read: {e.Message}"); }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        var seed = Seed.Parse(text, path);
        var applied = await database.WriteAsync(async (c, tx) =>
        {
            if (await database.GetStateAsync(c, tx, StateKey, ct) == hash) return false;
            await ApplyAsync(c, tx, seed, path, ct);
            await database.SetStateAsync(c, tx, StateKey, hash, ct);
            return true;
        }, ct);
        if (applied) logger.LogInformation("Applied seed {Path}: {Accounts} account(s)", path, seed.Accounts.Count);
        else logger.LogInformation("Seed {Path} is unchanged since it was last applied; skipped", path);
        return (seed, hash);
    }

    /// <param name="c">The connection of the caller's transaction.</param>
    /// <param name="tx">The caller's transaction.</param>
    /// <param name="seed">The parsed seed.</param>
    /// <param name="place">Names the seed in errors.</param>
    /// <param name="ct">Cancels the statements.</param>
    /// <param name="at">The time written into the rows (a sandbox reset reuses the start-up's); default now.</param>
    public async Task ApplyAsync(DbConnection c, DbTransaction tx, Seed seed, string place, CancellationToken ct = default, long? at = null)
    {
        var now = at ?? clock.GetUtcNow().ToUnixTimeSeconds();
        foreach (var account in seed.Accounts)
        {
            await CheckOwnersAsync(c, tx, account, place, ct);
            await accounts.UpsertAccountAsync(c, tx, account.Id, account.Name, account.AutoSubjects, now, ct);
            foreach (var user in account.Users)
            {
                await accounts.UpsertUserAsync(c, tx, account.Id, new UserRecord(user.Id, user.FullName, user.EmailAddress, user.Headline, user.PhotoPath), now, ct);
                foreach (var token in user.Tokens)
                    await accounts.UpsertSeedTokenAsync(c, tx, account.Id, user.Id, Tokens.Hash(token.Token), token.Scope, now, ct);
            }
            foreach (var subject in account.Subjects)
                await subjects.UpsertAsync(c, tx, account.Id, subject.Type, subject.Id, subject.Attributes, now, ct);
            foreach (var (application, i) in account.Applications.Select((a, i) => (a, i)))
            {
                // A client id names one application: a seed may not move another account's application to its own.
                if (await applications.ClientOwnerAsync(c, tx, application.ClientId, ct) is { } owner && owner != account.Id)
                    throw new SeedException($"{place}: account {account.Id}: client_id '{application.ClientId}' already belongs to an application of account {owner}.",
                        $"$.accounts[?(@.id=={account.Id})].applications[{i}]");
                await applications.UpsertSeedAsync(c, tx, account.Id, application.ClientId, Tokens.Hash(application.ClientSecret), application.Name,
                    application.RedirectUris, now, ct);
            }
        }
    }

    /// <summary>User ids are global (a user belongs to one account): one already owned by another account is a seed error.</summary>
    private async Task CheckOwnersAsync(DbConnection c, DbTransaction tx, SeedAccount account, string place, CancellationToken ct)
    {
        foreach (var user in account.Users)
            if (await accounts.UserAccountAsync(c, tx, user.Id, ct) is { } o && o != account.Id)
                throw new SeedException($"{place}: account {account.Id}: user {user.Id} already belongs to account {o}; ids are global.",
                    $"$.accounts[?(@.id=={account.Id})].users[?(@.id=={user.Id})]");
    }
}
