using System.CommandLine;
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

        var account = new Option<long?>("--account") { Description = "Only this account's tokens" };
        var list = new Command("list", "List tokens (id, user, scope, issuing application, creation, last use, revocation); never the tokens themselves.") { account };
        list.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var xref = await XrefCli.OpenAsync(parse, ct);
            var table = new Table().AddColumns("id", "account", "user", "scope", "application", "created_at", "last_used_at", "revoked_at");
            static string Time(long? t) => t is { } v ? WireValues.Timestamp(v) : "-";
            var applications = (await xref.Applications.ListAsync(parse.GetValue(account), ct)).ToDictionary(a => a.Id, a => a.Name);
            // A token made by the CLI or a seed has no application; one whose application was deleted lost the link (and was revoked).
            string Application(long? id) => id is { } v ? Markup.Escape($"{v} {applications.GetValueOrDefault(v)}".Trim()) : "-";
            foreach (var t in await xref.Accounts.ListTokensAsync(parse.GetValue(account), ct))
                table.AddRow(t.Id.ToString(), t.AccountId.ToString(), t.UserId.ToString(), t.Scope, Application(t.ApplicationId), Time(t.CreatedAt),
                    Time(t.LastUsedAt), Time(t.RevokedAt));
            AnsiConsole.Write(table);
            return 0;
        }));

        var tokenId = new Argument<long>("id") { Description = "The token's id (from `xref tokens list`)" };
        var revoke = new Command("revoke", "Revoke a token: every node refuses it within a second.") { tokenId };
        revoke.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var xref = await XrefCli.OpenAsync(parse, ct);
            var id = parse.GetValue(tokenId);
            var state = await xref.Accounts.RevokeTokenAsync(id, ct) switch
            {
                TokenRevocation.Revoked => "revoked",
                TokenRevocation.AlreadyRevoked => "already revoked",
                _ => throw new CliException($"token {id} does not exist."),
            };
            Console.Out.WriteLine($"token {id} {state}");
            return 0;
        }));
        return new Command("tokens", "Manage API tokens.") { create, list, revoke };
    }
}
