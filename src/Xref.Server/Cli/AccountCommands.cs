using System.CommandLine;
using Spectre.Console;
using Xref.Accounts;
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
            await using var xref = await XrefCli.OpenAsync(parse, ct);
            var created = await xref.Accounts.CreateAccountAsync(parse.GetValue(id), parse.GetValue(name)!, parse.GetValue(auto), ct)
                ?? throw new CliException($"account {parse.GetValue(id)} already exists.");
            Console.Out.WriteLine(created);
            return 0;
        }));

        var json = Listing.JsonOption();
        var list = new Command("list", "List accounts (id, name, auto_subjects, created_at).") { json };
        list.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var xref = await XrefCli.OpenAsync(parse, ct);
            var accounts = await xref.Accounts.ListAccountsAsync(ct);
            if (parse.GetValue(json))
            {
                await Listing.WriteJsonAsync(accounts, (w, a) =>
                {
                    w.WriteNumber("id", a.Id);
                    w.WriteString("name", a.Name);
                    w.WriteBoolean("auto_subjects", a.AutoSubjects);
                    w.WriteTimestamp("created_at", a.CreatedAt);
                });
                return 0;
            }
            var table = new Table().AddColumns("id", "name", "auto_subjects", "created_at");
            foreach (var a in accounts)
                table.AddRow(a.Id.ToString(), Markup.Escape(a.Name), a.AutoSubjects.ToString().ToLowerInvariant(), WireValues.Timestamp(a.CreatedAt));
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
            await using var xref = await XrefCli.OpenAsync(parse, ct);
            var accountId = parse.GetValue(account);
            var (outcome, userId) = await xref.Accounts.CreateUserAsync(accountId, parse.GetValue(id), parse.GetValue(name)!,
                parse.GetValue(email), parse.GetValue(headline), ct);
            Console.Out.WriteLine(outcome switch
            {
                UserCreation.NoSuchAccount => throw new CliException($"account {accountId} does not exist; create it with `xref accounts create`."),
                UserCreation.IdTaken => throw new CliException($"user {userId} already exists."),
                _ => userId,
            });
            return 0;
        }));
        return new Command("users", "Manage users.") { create, ListUsers() };
    }

    private static Command ListUsers()
    {
        var account = new Option<long?>("--account") { Description = "Only this account's users" };
        var json = Listing.JsonOption();
        var list = new Command("list", "List users (id, account_id, full_name, email_address, headline, photo_path).") { account, json };
        list.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var xref = await XrefCli.OpenAsync(parse, ct);
            var users = await xref.Accounts.ListAllUsersAsync(parse.GetValue(account), ct);
            if (parse.GetValue(json))
            {
                await Listing.WriteJsonAsync(users, (w, u) =>
                {
                    w.WriteNumber("id", u.User.Id);
                    w.WriteNumber("account_id", u.AccountId);
                    w.WriteStringOrNull("full_name", u.User.FullName);
                    w.WriteStringOrNull("email_address", u.User.EmailAddress);
                    w.WriteStringOrNull("headline", u.User.Headline);
                    w.WriteStringOrNull("photo_path", u.User.PhotoPath);
                });
                return 0;
            }
            var table = new Table().AddColumns("id", "account", "full_name", "email_address", "headline");
            static string Text(string? value) => value is null ? "-" : Markup.Escape(value);
            foreach (var (accountId, u) in users)
                table.AddRow(u.Id.ToString(), accountId.ToString(), Text(u.FullName), Text(u.EmailAddress), Text(u.Headline));
            AnsiConsole.Write(table);
            return 0;
        }));
        return list;
    }
}
