using System.CommandLine;
using System.CommandLine.Parsing;
using Xref.Hosting;
using Xref.Storage;

namespace Xref.Cli;

/// <summary>
/// The <c>xref</c> binary: without a command it runs the server (its options are <see cref="XrefOptions.CommandLine"/>);
/// with one, an operator command (accounts, users, tokens, apps, import, export, migrate, healthcheck). <c>--database</c>
/// is accepted anywhere. A mistyped command or option is one line and the usage, exit code 2.
/// </summary>
public static class XrefCli
{
    public static readonly Option<string?> DatabaseOption = new("--database")
    {
        Description = "sqlite:<path>, memory, postgres://user[:password]@host[:port]/db, or an Npgsql connection string " +
            "(XREF_DATABASE; default: sqlite:./data/xref.db)",
        Recursive = true,
    };

    public static Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Xref: the Kantata OX External References API, self-hosted. Without a command, runs the server.");
        root.Options.Add(DatabaseOption);
        var serverOptions = XrefOptions.CommandLine();
        foreach (var option in serverOptions) root.Options.Add(option);
        root.SetAction(parse => XrefServer.RunAsync(XrefOptions.GivenArguments(parse, [DatabaseOption, .. serverOptions])));
        // One line per command, so that adding one merges cleanly.
        root.Subcommands.Add(AccountCommands.Accounts());
        root.Subcommands.Add(AccountCommands.Users());
        root.Subcommands.Add(TokenCommands.Commands());
        root.Subcommands.Add(ApplicationCommands.Commands());
        root.Subcommands.Add(WebhookCommands.Commands());
        root.Subcommands.Add(DataCommands.Import());
        root.Subcommands.Add(DataCommands.Export());
        root.Subcommands.Add(Migrate());
        root.Subcommands.Add(HealthCheck());
        root.Subcommands.Add(RemoteCommands.Remote());

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0) return Task.FromResult(UsageError(parse));
        // Piped or captured, Spectre assumes 80 columns and wraps the tables' timestamps and names mid-word; a reader of
        // a file or a script wants one row per line, however long.
        if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 10_000;
        // The server handles SIGTERM and Ctrl+C itself (in-flight requests finish); System.CommandLine would end it early.
        var server = parse.CommandResult.Command == root;
        return parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = server ? null : TimeSpan.FromSeconds(2) });
    }

    /// <summary>The first parse error on one line, then the command's usage; exit code 2, as for any usage error.</summary>
    private static int UsageError(ParseResult parse)
    {
        // An unknown word explains the rest ("Required command was not provided" after a mistyped command).
        var unknown = parse.UnmatchedTokens.FirstOrDefault();
        var error = parse.Errors.FirstOrDefault(e => unknown is not null && e.Message.Contains($"'{unknown}'", StringComparison.Ordinal))?.Message
            ?? parse.Errors[0].Message;
        if (unknown is not null && Nearest(unknown, parse.CommandResult.Command) is { } near) error = $"{error.TrimEnd('.')}; did you mean {near}?";
        Console.Error.WriteLine($"xref: {error}");
        var command = parse.CommandResult.Command;
        var names = new List<string> { "xref" };
        for (SymbolResult? r = parse.CommandResult; r is CommandResult { Parent: not null } c; r = c.Parent) names.Insert(1, c.Command.Name);
        // The usage line as --help writes it (System.CommandLine keeps its help builder internal).
        var usage = names.Concat(command.Arguments.Where(a => !a.Hidden).Select(a => $"<{a.Name}>"))
            .Concat(command.Subcommands.Count > 0 ? ["[command]"] : []).Append("[options]");
        Console.Error.WriteLine($"Usage: {string.Join(' ', usage)}");
        Console.Error.WriteLine($"Run '{string.Join(' ', names)} --help' for more.");
        return 2;
    }

    /// <summary>The option or subcommand of <paramref name="command"/> closest to a mistyped one (at most two edits away), if any.</summary>
    private static string? Nearest(string typed, Command command)
    {
        var name = typed.Split('=', 2)[0];
        var candidates = name.StartsWith('-')
            ? command.Options.Append(DatabaseOption).Where(o => !o.Hidden).Select(o => o.Name).Distinct()
            : command.Subcommands.Select(c => c.Name);
        return candidates.Select(c => (c, Distance(name, c))).Where(x => x.Item2 <= 2).OrderBy(x => x.Item2).Select(x => x.c).FirstOrDefault();
    }

    /// <summary>Levenshtein distance; written here because System.CommandLine keeps its own typo correction internal.</summary>
    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var next = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                (diagonal, row[j]) = (row[j], next);
            }
        }
        return row[b.Length];
    }

    /// <summary>Opens the database named by <c>--database</c> (or XREF_DATABASE), brings its schema up to date, and gives its stores.</summary>
    public static async Task<CliStores> OpenAsync(ParseResult parse, CancellationToken ct)
    {
        var given = parse.GetValue(DatabaseOption) ?? Environment.GetEnvironmentVariable("XREF_DATABASE");
        DatabaseUrl url;
        try
        {
            url = DatabaseUrl.Parse(given, failFast: false);
        }
        catch (FormatException e)
        {
            throw new CliException(StartupFailure.Describe(e, given ?? ""));
        }
        try
        {
            return await CliStores.OpenAsync(url, ct);
        }
        catch (Exception e) when (DatabaseProblem.Describe(e, url.Display) is { } problem)
        {
            throw new CliException(problem);
        }
    }

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
