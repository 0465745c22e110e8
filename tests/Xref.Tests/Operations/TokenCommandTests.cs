using System.Net;
using Dapper;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.Operations;

public sealed class TokenCommandTests
{
    [Theory, AllDatabases]
    public async Task Created_token_works_is_stored_hashed_and_stops_within_a_second_of_revocation(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var created = await XrefProcess.RunAsync("tokens", "create", "--user", "11", "--scope", "write", "--database", app.TestDatabase.Url);
        Assert.Equal(0, created.ExitCode);
        var token = created.Out.Trim();
        Assert.Matches("^xref_[A-Za-z0-9_-]{43}$", token);

        var client = app.Client(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/external_references?subject_type=Workspace")).StatusCode);
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM api_tokens WHERE token_hash = @token", new { token }));
        var id = await app.Database.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT id FROM api_tokens WHERE user_id = 11"));
        Assert.NotEqual(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM api_tokens WHERE id = @id AND last_used_at IS NOT NULL", new { id }));

        var list = await XrefProcess.RunAsync("--database", app.TestDatabase.Url, "tokens", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.DoesNotContain(token, list.Out);
        Assert.DoesNotContain(XrefApp.AcmeWrite, list.Out);
        Assert.Contains("write", list.Out);

        var revoked = await XrefProcess.RunAsync("tokens", "revoke", id.ToString(), "--database", app.TestDatabase.Url);
        Assert.Equal((0, $"token {id} revoked"), (revoked.ExitCode, revoked.Out.Trim()));
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        await JsonAssert.ErrorAsync(await client.GetAsync("/api/v1/external_references?subject_type=Workspace"),
            HttpStatusCode.Unauthorized, ("oauth", null, "Invalid OAuth 2 Request"));
    }

    [Theory, AllDatabases]
    public async Task Commands_explain_what_is_wrong(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var unknownUser = await XrefProcess.RunAsync("tokens", "create", "--user", "999", "--scope", "read", "--database", app.TestDatabase.Url);
        Assert.Equal((1, "xref: user 999 does not exist; create it with `xref users create`."), (unknownUser.ExitCode, unknownUser.Error.Trim()));
        var badScope = await XrefProcess.RunAsync("tokens", "create", "--user", "10", "--scope", "admin", "--database", app.TestDatabase.Url);
        Assert.NotEqual(0, badScope.ExitCode);
        Assert.Contains("'admin'", badScope.Error);
        var unknownToken = await XrefProcess.RunAsync("tokens", "revoke", "999", "--database", app.TestDatabase.Url);
        Assert.Equal((1, "xref: token 999 does not exist."), (unknownToken.ExitCode, unknownToken.Error.Trim()));
        Assert.Equal(3, await Sql.CountAsync(app, "SELECT COUNT(*) FROM api_tokens"));
    }

    [Theory, AllDatabases]
    public async Task Revoke_given_the_token_itself_finds_it_by_its_hash_and_never_prints_it(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var revoked = await XrefProcess.RunAsync("tokens", "revoke", XrefApp.AcmeRead, "--database", app.TestDatabase.Url);
        Assert.Equal((0, "token 2 revoked\n", "That is a token, not an id: it is token 2.\n"), (revoked.ExitCode, revoked.Out, revoked.Error));
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NOT NULL AND token_hash = @hash",
            new { hash = Xref.Auth.Tokens.Hash(XrefApp.AcmeRead) }));
        await Task.Delay(TimeSpan.FromSeconds(1.1)); // the authenticator's cache
        await JsonAssert.ErrorAsync(await app.ListAsync("subject_type=Workspace", XrefApp.AcmeRead), HttpStatusCode.Unauthorized,
            ("oauth", null, "Invalid OAuth 2 Request"));

        var again = await XrefProcess.RunAsync("tokens", "revoke", XrefApp.AcmeRead, "--database", app.TestDatabase.Url);
        Assert.Equal((0, "token 2 already revoked\n"), (again.ExitCode, again.Out));

        const string unknown = "xref_this-token-was-never-issued-by-this-database-00";
        var missing = await XrefProcess.RunAsync("tokens", "revoke", unknown, "--database", app.TestDatabase.Url);
        Assert.Equal((1, "", "xref: that is neither a token id nor a token Xref knows — find the id with `xref tokens list`.\n"),
            (missing.ExitCode, missing.Out, missing.Error));
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NOT NULL"));
    }

    [Theory, AllDatabases]
    public async Task Accounts_and_users_can_be_created_for_a_new_customer(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var account = await XrefProcess.RunAsync("accounts", "create", "--name", "Initech", "--database", app.TestDatabase.Url);
        Assert.Equal((0, "3"), (account.ExitCode, account.Out.Trim()));
        var user = await XrefProcess.RunAsync("users", "create", "--account", "3", "--name", "Peter", "--email", "peter@initech.example", "--database", app.TestDatabase.Url);
        Assert.Equal((0, "21"), (user.ExitCode, user.Out.Trim()));
        var token = (await XrefProcess.RunAsync("tokens", "create", "--user", "21", "--scope", "read", "--database", app.TestDatabase.Url)).Out.Trim();
        await JsonAssert.ResponseAsync(await app.Client(token).GetAsync("/api/v1/external_references?subject_type=Workspace"), HttpStatusCode.OK,
            """{"count":0,"results":[],"external_references":{},"meta":{"count":0,"page_count":0,"page_number":0,"page_size":20}}""");
        await JsonAssert.ErrorAsync(await app.Client(token).DeleteAsync("/api/v1/external_references/1"), HttpStatusCode.Forbidden,
            ("system", null, "This token is read-only; use a token with the write scope to change data."));
    }
}
