using System.CommandLine;
using Dapper;
using Spectre.Console;
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
            await using var database = await XrefCli.OpenDatabaseAsync(parse, ct);
            var token = Tokens.Generate();
            var id = await database.WriteAsync(async (c, tx) =>
            {
                var userId = parse.GetValue(user);
                var accountId = await c.ExecuteScalarAsync<long?>("SELECT account_id FROM users WHERE id = @userId", new { userId }, tx)
                    ?? throw new CliException($"user {userId} does not exist; create it with `xref users create`.");
                await c.ExecuteAsync("""
                    INSERT INTO api_tokens (account_id, user_id, token_hash, scope, created_at) VALUES (@accountId, @userId, @hash, @scope, @now)
                    """, new { accountId, userId, hash = Tokens.Hash(token), scope = parse.GetValue(scope), now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() }, tx);
                return await c.ExecuteScalarAsync<long>("SELECT id FROM api_tokens WHERE token_hash = @hash", new { hash = Tokens.Hash(token) }, tx);
            }, ct);
            Console.Error.WriteLine($"Token {id} created. It is shown only now; store it safely:");
            Console.Out.WriteLine(token);
            return 0;
        }));

        var account = new Option<long?>("--account") { Description = "Only this account's tokens" };
        var list = new Command("list", "List tokens (id, user, scope, creation, last use, revocation); never the tokens themselves.") { account };
        list.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var database = await XrefCli.OpenDatabaseAsync(parse, ct);
            var rows = await database.ReadAsync(c => c.QueryAsync<(long Id, long AccountId, long UserId, string Scope, long CreatedAt, long? LastUsedAt, long? RevokedAt)>("""
                SELECT id, account_id, user_id, scope, created_at, last_used_at, revoked_at FROM api_tokens
                WHERE @account IS NULL OR account_id = @account ORDER BY id
                """, new { account = parse.GetValue(account) }), ct);
            var table = new Table().AddColumns("id", "account", "user", "scope", "created_at", "last_used_at", "revoked_at");
            static string Time(long? t) => t is { } v ? WireValues.Timestamp(v) : "-";
            foreach (var r in rows)
                table.AddRow(r.Id.ToString(), r.AccountId.ToString(), r.UserId.ToString(), r.Scope, Time(r.CreatedAt), Time(r.LastUsedAt), Time(r.RevokedAt));
            AnsiConsole.Write(table);
            return 0;
        }));

        var tokenId = new Argument<long>("id") { Description = "The token's id (from `xref tokens list`)" };
        var revoke = new Command("revoke", "Revoke a token: every node refuses it within a second.") { tokenId };
        revoke.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var database = await XrefCli.OpenDatabaseAsync(parse, ct);
            var id = parse.GetValue(tokenId);
            var state = await database.WriteAsync(async (c, tx) =>
            {
                if (await c.ExecuteAsync("UPDATE api_tokens SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL",
                        new { id, now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() }, tx) > 0) return "revoked";
                return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM api_tokens WHERE id = @id", new { id }, tx) > 0
                    ? "already revoked" : throw new CliException($"token {id} does not exist.");
            }, ct);
            Console.Out.WriteLine($"token {id} {state}");
            return 0;
        }));
        return new Command("tokens", "Manage API tokens.") { create, list, revoke };
    }
}
