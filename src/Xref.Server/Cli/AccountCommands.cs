using System.CommandLine;
using Dapper;
using Spectre.Console;
using Xref.Wire;

namespace Xref.Cli;

/// <summary><c>xref accounts create|list</c> and <c>xref users create|list</c>.</summary>
public static class AccountCommands
{
    public static Command Accounts()
    {
        var name = new Option<string>("--name") { Description = "The account's name", Required = true };
        var id = new Option<long?>("--id") { Description = "Use this id (default: the next free one)" };
        var auto = new Option<bool>("--auto-subjects") { Description = "create_or_update creates missing subjects in this account" };
        var create = new Command("create", "Create an account and print its id.") { name, id, auto };
        create.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var database = await XrefCli.OpenDatabaseAsync(parse, ct);
            var created = await database.WriteAsync(async (c, tx) =>
            {
                var accountId = parse.GetValue(id) ?? await c.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(id), 0) + 1 FROM accounts", transaction: tx);
                if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM accounts WHERE id = @accountId", new { accountId }, tx) > 0)
                    throw new CliException($"account {accountId} already exists.");
                var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                await c.ExecuteAsync("INSERT INTO accounts (id, name, auto_subjects, created_at, updated_at) VALUES (@accountId, @name, @auto, @now, @now)",
                    new { accountId, name = parse.GetValue(name), auto = parse.GetValue(auto), now }, tx);
                return accountId;
            }, ct);
            Console.Out.WriteLine(created);
            return 0;
        }));

        var list = new Command("list", "List accounts.");
        list.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var database = await XrefCli.OpenDatabaseAsync(parse, ct);
            var rows = await database.ReadAsync(c => c.QueryAsync<(long Id, string Name, bool AutoSubjects, long CreatedAt)>(
                "SELECT id, name, auto_subjects, created_at FROM accounts ORDER BY id"), ct);
            var table = new Table().AddColumns("id", "name", "auto_subjects", "created_at");
            foreach (var r in rows) table.AddRow(r.Id.ToString(), Markup.Escape(r.Name), r.AutoSubjects.ToString().ToLowerInvariant(), WireValues.Timestamp(r.CreatedAt));
            AnsiConsole.Write(table);
            return 0;
        }));
        return new Command("accounts", "Manage accounts.") { create, list };
    }

    public static Command Users()
    {
        var account = new Option<long>("--account") { Description = "The account the user belongs to", Required = true };
        var name = new Option<string>("--name") { Description = "Full name", Required = true };
        var email = new Option<string?>("--email") { Description = "Email address" };
        var headline = new Option<string?>("--headline") { Description = "Headline" };
        var id = new Option<long?>("--id") { Description = "Use this id (default: the next free one)" };
        var create = new Command("create", "Create a user and print its id.") { account, name, email, headline, id };
        create.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var database = await XrefCli.OpenDatabaseAsync(parse, ct);
            var created = await database.WriteAsync(async (c, tx) =>
            {
                var accountId = parse.GetValue(account);
                if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM accounts WHERE id = @accountId", new { accountId }, tx) == 0)
                    throw new CliException($"account {accountId} does not exist; create it with `xref accounts create`.");
                var userId = parse.GetValue(id) ?? await c.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(id), 0) + 1 FROM users", transaction: tx);
                if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM users WHERE id = @userId", new { userId }, tx) > 0)
                    throw new CliException($"user {userId} already exists.");
                var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                await c.ExecuteAsync("""
                    INSERT INTO users (id, account_id, full_name, email_address, headline, created_at, updated_at)
                    VALUES (@userId, @accountId, @name, @email, @headline, @now, @now)
                    """, new { userId, accountId, name = parse.GetValue(name), email = parse.GetValue(email), headline = parse.GetValue(headline), now }, tx);
                return userId;
            }, ct);
            Console.Out.WriteLine(created);
            return 0;
        }));
        return new Command("users", "Manage users.") { create };
    }
}
