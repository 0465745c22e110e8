using System.CommandLine;
using Xref.Storage;

namespace Xref.Cli;

/// <summary>
/// The operator commands of the <c>xref</c> binary (accounts, users, tokens, apps, import, export). Without one of
/// them the binary runs the server. <c>--database</c> is accepted anywhere on the command line.
/// </summary>
public static class XrefCli
{
    private static readonly string[] CommandNames = ["accounts", "users", "tokens", "apps", "webhooks", "import", "export", "migrate", "healthcheck"];

    /// <summary>True when the first word that is not an option (or an option's value) names a command.</summary>
    public static bool IsCommand(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith('-'))
            {
                if (!args[i].Contains('=')) i++; // skip the option's value
                continue;
            }
            return CommandNames.Contains(args[i]);
        }
        return false;
    }

    public static readonly Option<string?> DatabaseOption = new("--database")
    {
        Description = "sqlite:<path>, postgres://user[:password]@host[:port]/db, or an Npgsql connection string (default: XREF_DATABASE, then sqlite:./data/xref.db)",
        Recursive = true,
    };

    public static Task<int> RunAsync(string[] args)
    {
        // Piped or captured, Spectre assumes 80 columns and wraps the tables' timestamps and names mid-word; a
        // reader of a file or a script wants one row per line.
        if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 200;
        var root = new RootCommand("Xref: the Kantata OX External References API, self-hosted. Without a command, runs the server.");
        root.Options.Add(DatabaseOption);
        root.Subcommands.Add(AccountCommands.Accounts());
        root.Subcommands.Add(AccountCommands.Users());
        root.Subcommands.Add(TokenCommands.Commands());
        root.Subcommands.Add(ApplicationCommands.Commands());
        root.Subcommands.Add(WebhookCommands.Commands());
        root.Subcommands.Add(DataCommands.Import());
        root.Subcommands.Add(DataCommands.Export());
        root.Subcommands.Add(Migrate());
        root.Subcommands.Add(HealthCheck());
        return root.Parse(args).InvokeAsync();
    }

    /// <summary>Opens the database named by <c>--database</c> (or XREF_DATABASE), brings its schema up to date, and gives its stores.</summary>
    public static Task<CliStores> OpenAsync(ParseResult parse, CancellationToken ct) => CliStores.OpenAsync(
        DatabaseUrl.Parse(parse.GetValue(DatabaseOption) ?? Environment.GetEnvironmentVariable("XREF_DATABASE"), failFast: false), ct);

    /// <summary>Runs a command body, turning expected failures into a message and exit code 1.</summary>
    public static async Task<int> GuardAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (e is CliException or FormatException or IOException)
        {
            Console.Error.WriteLine($"xref: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// <c>xref healthcheck [--url U]</c>: exit 0 when the URL answers 200 within 3 s, else 1. For a container's
    /// HEALTHCHECK: the ASP.NET runtime image has no curl.
    /// </summary>
    private static Command HealthCheck()
    {
        var url = new Option<string>("--url") { Description = "The URL to check", DefaultValueFactory = _ => "http://127.0.0.1:5080/health" };
        var command = new Command("healthcheck", "Exit 0 when the server's /health answers 200 (for container health checks).") { url };
        command.SetAction(async (parse, ct) =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            try
            {
                using var response = await http.GetAsync(parse.GetValue(url), ct);
                if (response.IsSuccessStatusCode) return 0;
                Console.Error.WriteLine($"xref: {parse.GetValue(url)} answered {(int)response.StatusCode}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UriFormatException or InvalidOperationException)
            {
                Console.Error.WriteLine($"xref: {parse.GetValue(url)} did not answer: {e.Message}");
            }
            return 1;
        });
        return command;
    }

    private static Command Migrate()
    {
        var command = new Command("migrate", "Apply pending schema migrations and exit (the server also does this at start-up).");
        command.SetAction((parse, ct) => GuardAsync(async () =>
        {
            await using var xref = await OpenAsync(parse, ct);
            Console.Out.WriteLine($"{xref.Database.Url.Display}: schema up to date.");
            return 0;
        }));
        return command;
    }
}

/// <summary>A command failed for a reason the operator can fix; the message says which.</summary>
public sealed class CliException(string message) : Exception(message);
