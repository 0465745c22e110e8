using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.Cli;

/// <summary>
/// Ordinary mistakes at start-up, through the real binary: each is one line on standard error, <c>xref: what is wrong —
/// what to do</c>, exit code 1, and no stack trace anywhere (the host's own "Hosting failed to start" included).
/// </summary>
public sealed class StartupFailureTests
{
    private static async Task AssertOneLineAsync(string expected, params string[] args)
    {
        var result = await XrefProcess.RunAsync(args);
        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}\n{result.Out}\n{result.Error}");
        Assert.Equal(expected + "\n", result.Error);
        Assert.DoesNotContain("   at ", result.Out);
        Assert.DoesNotContain("Hosting failed to start", result.Out);
        Assert.DoesNotContain("Exception", result.Out);
    }

    [Fact]
    public async Task A_port_already_in_use()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        await AssertOneLineAsync(
            $"xref: cannot listen on {url}: the address is already in use — stop the process using that port, or choose another with --urls",
            "--database", "memory", "--urls", url);
    }

    [Fact]
    public async Task A_database_path_without_its_sqlite_prefix()
    {
        const string expected = "xref: --database './data/xref.db' is neither sqlite:<path>, memory, a postgres:// URL nor an Npgsql connection string — " +
            "for a SQLite file, write --database sqlite:./data/xref.db";
        await AssertOneLineAsync(expected, "--database", "./data/xref.db", "--urls", "http://127.0.0.1:0");
        // The operator commands say the same.
        var cli = await XrefProcess.RunAsync("accounts", "list", "--database", "./data/xref.db");
        Assert.Equal((1, expected + "\n"), (cli.ExitCode, cli.Error));
    }

    [Fact]
    public async Task A_sqlite_folder_that_cannot_be_created()
    {
        var file = Path.GetTempFileName(); // a file where the folder should be
        try
        {
            await AssertOneLineAsync($"xref: cannot create the SQLite database sqlite:{file}/xref.db: The file '{file}' already exists — " +
                "choose a folder Xref may write to (--database sqlite:PATH), or fix its permissions", "--database", $"sqlite:{file}/xref.db", "--urls", "http://127.0.0.1:0");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_seed_file_that_is_missing_or_invalid()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"xref-missing-{Guid.NewGuid():N}.json");
        await AssertOneLineAsync($"xref: {missing}: cannot be read: Could not find file '{missing}' — check the --seed path (XREF_SEED)",
            "--database", "memory", "--seed", missing, "--urls", "http://127.0.0.1:0");
        var invalid = await XrefApp.WriteSeedAsync("""{"accounts": {}}""");
        try
        {
            await AssertOneLineAsync($"xref: {invalid}: $.accounts: must be an array — correct the seed file and start again; nothing was applied",
                "--database", "memory", "--seed", invalid, "--urls", "http://127.0.0.1:0");
        }
        finally
        {
            File.Delete(invalid);
        }
    }

    [Fact]
    public async Task At_debug_level_the_failure_is_logged_with_its_stack_trace()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"xref-missing-{Guid.NewGuid():N}.json");
        var result = await XrefProcess.RunAsync("--database", "memory", "--seed", missing, "--urls", "http://127.0.0.1:0", "--log-level", "Debug");
        Assert.Equal((1, $"xref: {missing}: cannot be read: Could not find file '{missing}' — check the --seed path (XREF_SEED)\n"), (result.ExitCode, result.Error));
        Assert.Contains("dbug: Xref.Startup[0] Start-up failed Xref.Seeding.SeedException: ", result.Out);
        Assert.Contains(" at Xref.Seeding.SeedApplier.ApplyFileAsync(", result.Out);
        Assert.DoesNotContain("Hosting failed to start", result.Out);
    }

    [Fact]
    public async Task PostgreSQL_unreachable()
    {
        var port = ServerProcess.FreePort(); // nothing listens there now
        await AssertOneLineAsync($"xref: cannot reach PostgreSQL at postgres://xref@127.0.0.1:{port}/xref: Connection refused — " +
            "start it, or correct the host and port in --database", "--database", $"postgres://xref@127.0.0.1:{port}/xref", "--urls", "http://127.0.0.1:0");
    }

    [Fact]
    public async Task A_PostgreSQL_database_that_does_not_exist()
    {
        var admin = new NpgsqlConnectionStringBuilder(TestDatabase.AdminConnectionString);
        var name = $"xref_missing_{Guid.NewGuid():N}";
        var url = new NpgsqlConnectionStringBuilder(TestDatabase.AdminConnectionString) { Database = name }.ConnectionString;
        var expected = $"xref: PostgreSQL at postgres://{admin.Username}@{admin.Host}:{admin.Port}/{name}: database \"{name}\" does not exist — " +
            "create it (createdb, or CREATE DATABASE) or correct the name in --database";
        await AssertOneLineAsync(expected, "--database", url, "--urls", "http://127.0.0.1:0");
        // The operator commands say the same.
        var cli = await XrefProcess.RunAsync("tokens", "list", "--database", url);
        Assert.Equal((1, expected + "\n"), (cli.ExitCode, cli.Error));
    }

    [Fact]
    public async Task An_empty_PostgreSQL_database_says_how_to_get_an_account()
    {
        await using var database = await TestDatabase.CreateAsync("postgres");
        await using (var server = await ServerProcess.StartAsync("--database", database.Url))
            await server.WaitForLineAsync(l => l.EndsWith(
                "warn: Xref.Hosting.StartupTasks[0] The database has no account yet, so no token can call the API. Start with --demo for a demo " +
                "account and its token, or with --seed FILE, or create one: xref accounts create --name NAME; xref users create --account ID " +
                "--name NAME; xref tokens create --user ID --scope write", StringComparison.Ordinal));
        // With an account, it says nothing of the kind.
        Assert.Equal(0, (await XrefProcess.RunAsync("accounts", "create", "--name", "Initech", "--database", database.Url)).ExitCode);
        await using (var server = await ServerProcess.StartAsync("--database", database.Url))
        {
            await server.WaitForLineAsync(l => l.Contains("Application started.", StringComparison.Ordinal));
            Assert.DoesNotContain("no account yet", server.Output);
        }
    }
}
