using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Xref.Accounts;
using Xref.Auth;
using Xref.Wire;

namespace Xref.Cli;

/// <summary>
/// <c>xref tokens create|list|revoke</c>. A token is printed once, at creation; the database keeps only its
/// SHA-256 hash, and <c>list</c> never shows one.
/// </summary>
public static class TokenCommands
{
    public static Command Commands()
    {
        var user = new Option<long>("--user") { Description = "The user the token acts as", Required = true };
        var scope = new Option<string>("--scope") { Description = "read or write", Required = true };
        scope.AcceptOnlyFromAmong("read", "write");
        var create = new Command("create", "Create a token and print it (the only time it is shown).") { user, scope };
        create.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var xref = await XrefCli.OpenAsync(parse, ct);
            var token = Tokens.Generate();
            var userId = parse.GetValue(user);
            var id = await xref.Accounts.CreateTokenAsync(userId, Tokens.Hash(token), parse.GetValue(scope)!, ct)
                ?? throw new CliException($"user {userId} does not exist; create it with `xref users create`.");
            Console.Error.WriteLine($"Token {id} created. It is shown only now; store it safely:");
            Console.Out.WriteLine(token);
            return 0;
        }));

        return new Command("tokens", "Manage API tokens.") { create, List(), Revoke() };
    }

    private static Command List()
    {
        var account = new Option<long?>("--account") { Description = "Only this account's tokens" };
        var json = Listing.JsonOption();
        var list = new Command("list", "List tokens (id, account, user, scope, issuing application, creation, last use, revocation); never the tokens themselves.")
            { account, json };
        list.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var xref = await XrefCli.OpenAsync(parse, ct);
            var tokens = await xref.Accounts.ListTokensAsync(parse.GetValue(account), ct);
            if (parse.GetValue(json))
            {
                await Listing.WriteJsonAsync(tokens, (w, t) =>
                {
                    w.WriteNumber("id", t.Id);
                    w.WriteNumber("account_id", t.AccountId);
                    w.WriteNumber("user_id", t.UserId);
                    w.WriteString("scope", t.Scope);
                    w.WriteNumberOrNull("application_id", t.ApplicationId);
                    w.WriteTimestamp("created_at", t.CreatedAt);
                    w.WriteTimestamp("last_used_at", t.LastUsedAt);
                    w.WriteTimestamp("revoked_at", t.RevokedAt);
                });
                return 0;
            }
            var table = new Table().AddColumns("id", "account", "user", "scope", "application", "created_at", "last_used_at", "revoked_at");
            static string Time(long? t) => t is { } v ? WireValues.Timestamp(v) : "-";
            var applications = (await xref.Applications.ListAsync(parse.GetValue(account), ct)).ToDictionary(a => a.Id, a => a.Name);
            // A token made by the CLI or a seed has no application; one whose application was deleted lost the link (and was revoked).
            string Application(long? id) => id is { } v ? Markup.Escape($"{v} {applications.GetValueOrDefault(v)}".Trim()) : "-";
            foreach (var t in tokens)
                table.AddRow(t.Id.ToString(), t.AccountId.ToString(), t.UserId.ToString(), t.Scope, Application(t.ApplicationId), Time(t.CreatedAt),
                    Time(t.LastUsedAt), Time(t.RevokedAt));
            AnsiConsole.Write(table);
            return 0;
        }));
        return list;
    }

    /// <summary>
    /// <c>xref tokens revoke ID</c>, or given the token itself (a pasted secret rather than its id): the token is found by
    /// its hash and revoked, and the command says which id that was. Revoking it is what the operator meant, and a
    /// token just typed on a command line (visible to <c>ps</c>, kept in shell history) is better dead. The token is never
    /// printed back. A number is always an id, though a seed's token could be all digits.
    /// </summary>
    private static Command Revoke()
    {
        var given = new Argument<string>("id") { Description = "The token's id (from `xref tokens list`), or the token itself" };
        var revoke = new Command("revoke", "Revoke a token by its id (or by the token itself): every node refuses it within a second.") { given };
        revoke.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var xref = await XrefCli.OpenAsync(parse, ct);
            var text = parse.GetValue(given)!;
            long id;
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id))
            {
                id = await xref.Accounts.FindTokenIdAsync(Tokens.Hash(text), ct)
                    ?? throw new CliException("that is neither a token id nor a token Xref knows — find the id with `xref tokens list`.");
                Console.Error.WriteLine($"That is a token, not an id: it is token {id}.");
            }
            var state = await xref.Accounts.RevokeTokenAsync(id, ct) switch
            {
                TokenRevocation.Revoked => "revoked",
                TokenRevocation.AlreadyRevoked => "already revoked",
                _ => throw new CliException($"token {id} does not exist."),
            };
            Console.Out.WriteLine($"token {id} {state}");
            return 0;
        }));
        return revoke;
    }
}
