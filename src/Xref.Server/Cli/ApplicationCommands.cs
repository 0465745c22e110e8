using System.CommandLine;
using Xref.Auth;
using Xref.OAuth;
using Xref.Wire;

namespace Xref.Cli;

/// <summary>
/// <c>xref apps create|list|delete</c>: the OAuth 2.0 applications of accounts. The client secret is printed once, at
/// creation; the database keeps only its SHA-256 hash, and <c>list</c> never shows one.
/// </summary>
public static class ApplicationCommands
{
    public static Command Commands()
    {
        var account = new Option<long>("--account") { Description = "The account the application belongs to", Required = true };
        var name = new Option<string>("--name") { Description = "The name the authorization page shows", Required = true };
        var redirect = new Option<string[]>("--redirect-uri")
        {
            Description = "A callback URI the code may be sent to (repeat for several); matched exactly", Required = true,
        };
        var create = new Command("create", "Register an application; prints its id, client id and secret (the only time the secret is shown).")
            { account, name, redirect };
        create.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            var appName = parse.GetValue(name)!;
            if (string.IsNullOrWhiteSpace(appName) || appName.Length > OAuthApplication.MaxNameLength)
                throw new CliException($"--name must be 1 to {OAuthApplication.MaxNameLength} characters, not blank.");
            var uris = parse.GetValue(redirect)!.Distinct().ToList();
            if (uris.Select(RedirectUris.Problem).FirstOrDefault(p => p is not null) is { } problem) throw new CliException($"--redirect-uri: {problem}.");
            await using var xref = await XrefCli.OpenAsync(parse, ct);
            var (clientId, secret) = (OAuthApplication.NewClientId(), OAuthApplication.NewSecret());
            var accountId = parse.GetValue(account);
            var id = await xref.Applications.CreateAsync(accountId, appName, clientId, Tokens.Hash(secret), uris, ct)
                ?? throw new CliException($"account {accountId} does not exist; create it with `xref accounts create`.");
            Console.Error.WriteLine($"Application {id} created. Its secret is shown only now; store it safely.");
            Console.Out.WriteLine($"id: {id}");
            Console.Out.WriteLine($"client_id: {clientId}");
            Console.Out.WriteLine($"client_secret: {secret}");
            return 0;
        }));

        var only = new Option<long?>("--account") { Description = "Only this account's applications" };
        var json = Listing.JsonOption();
        var list = new Command("list", "List applications (id, account, name, client id, redirect URIs, creation); never a secret.") { only, json };
        list.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var xref = await XrefCli.OpenAsync(parse, ct);
            var applications = await xref.Applications.ListAsync(parse.GetValue(only), ct);
            if (parse.GetValue(json))
            {
                await Listing.WriteJsonAsync(applications, (w, a) =>
                {
                    w.WriteNumber("id", a.Id);
                    w.WriteNumber("account_id", a.AccountId);
                    w.WriteString("name", a.Name);
                    w.WriteString("client_id", a.ClientId);
                    w.WriteStartArray("redirect_uris");
                    foreach (var uri in a.RedirectUris) w.WriteStringValue(uri);
                    w.WriteEndArray();
                    w.WriteTimestamp("created_at", a.CreatedAt);
                });
                return 0;
            }
            // One block per application rather than a table: a 64-character client id must stay whole to be copied.
            foreach (var a in applications)
            {
                Console.Out.WriteLine($"{a.Id}  account {a.AccountId}  created {WireValues.Timestamp(a.CreatedAt)}  {a.Name}");
                Console.Out.WriteLine($"    client_id     {a.ClientId}");
                foreach (var uri in a.RedirectUris) Console.Out.WriteLine($"    redirect_uri  {uri}");
            }
            return 0;
        }));

        var appId = new Argument<long>("id") { Description = "The application's id (from `xref apps list`)" };
        var delete = new Command("delete", "Delete an application: its codes are void and its tokens refused everywhere within a second.") { appId };
        delete.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var xref = await XrefCli.OpenAsync(parse, ct);
            var id = parse.GetValue(appId);
            var revoked = await xref.Applications.DeleteAsync(id, ct) ?? throw new CliException($"application {id} does not exist.");
            Console.Out.WriteLine($"application {id} deleted; {revoked} token{(revoked == 1 ? "" : "s")} revoked");
            return 0;
        }));
        return new Command("apps", "Manage OAuth 2.0 applications.") { create, list, delete };
    }
}
