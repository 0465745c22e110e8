using Xref.Accounts;
using Xref.Auth;
using Xref.Storage;

namespace Xref.Seeding;

/// <summary>
/// On an empty database with no seed, a demo account with a fresh write token and a few subjects, so the
/// first `dotnet run` shows something working. The token is printed once, to standard output only.
/// </summary>
public sealed class DemoAccount(Database database, AccountStore accounts, SeedApplier seeds)
{
    /// <summary>The demo account's seed, with a new write token.</summary>
    public static (Seed Seed, string Token) Build()
    {
        var token = Tokens.Generate();
        var seed = new Seed([new SeedAccount(1, "Demo Account", AutoSubjects: true,
            [new SeedUser(1, "Demo User", "demo@xref.example", "Integration engineer", null, [new SeedToken(token, "write")])],
            [
                new SeedSubject("Workspace", 100, """{"title":"Website relaunch","description":"Demo project","archived":false,"creator_id":1}"""),
                new SeedSubject("Workspace", 101, """{"title":"ERP migration","description":null,"archived":false,"creator_id":1}"""),
                new SeedSubject("Story", 200, """{"title":"Design review"}"""),
                new SeedSubject("TimeEntry", 300, "{}"),
                new SeedSubject("Invoice", 400, """{"title":"November invoice"}"""),
            ], [])]);
        return (seed, token);
    }

    /// <summary>Applies <paramref name="seed"/> when the database holds no account; true when it did.</summary>
    public Task<bool> CreateIfEmptyAsync(Seed seed, CancellationToken ct) => database.WriteAsync(async (c, tx) =>
    {
        if (!await accounts.IsEmptyAsync(c, tx, ct)) return false;
        await seeds.ApplyAsync(c, tx, seed, "demo account", ct);
        return true;
    }, ct);

    public static void Announce(string token, string baseUrl)
    {
        var api = baseUrl.TrimEnd('/') + "/api/v1";
        Console.Out.WriteLine($"""

            Xref created a demo account (auto-subjects on). Its write token, shown only this once:

                {token}

            Try it:
                curl -s -H 'Authorization: Bearer {token}' \
                  -d 'external_reference[subject_type]=Workspace' -d 'external_reference[subject_id]=100' \
                  -d 'external_reference[service_name]=jira' -d 'external_reference[service_model]=issue' \
                  -d 'external_reference[service_model_ref]=WEB-1' \
                  '{api}/external_references/create_or_update'
                curl -s -H 'Authorization: Bearer {token}' '{api}/external_references?subject_type=Workspace&include=subject'

            """);
        Console.Out.Flush();
    }
}
