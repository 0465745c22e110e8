using Xref.Tests.Infrastructure;

namespace Xref.Tests.Cli;

/// <summary>The command line itself, through the real binary: help everywhere, and usage errors that name the mistake.</summary>
public sealed class CommandLineTests
{
    private static readonly string[][] Commands =
    [
        [], ["accounts"], ["accounts", "create"], ["accounts", "list"], ["users"], ["users", "create"], ["users", "list"],
        ["tokens"], ["tokens", "create"], ["tokens", "list"], ["tokens", "revoke"], ["apps"], ["apps", "create"], ["apps", "list"],
        ["apps", "delete"], ["import"], ["export"], ["migrate"], ["healthcheck"],
    ];

    [Fact]
    public async Task Help_on_the_root_and_on_every_command_prints_its_usage_and_exits_0()
    {
        // --help must never start the server: the run would not end, and RunAsync would time out.
        // -h is the same option as --help (System.CommandLine's); checked where it would most likely be taken for another.
        (string[] Command, string Flag)[] cases = [.. Commands.Select(c => (c, "--help")), ([], "-h"), (["tokens", "revoke"], "-h")];
        var runs = cases.Select(async c => (c.Command, c.Flag, await XrefProcess.RunAsync([.. c.Command, c.Flag]))).ToList();
        foreach (var (command, flag, result) in await Task.WhenAll(runs))
        {
            var usage = string.Join(' ', ["xref", .. command]);
            Assert.True(result.ExitCode == 0, $"{usage} {flag}: exit {result.ExitCode}\n{result.Out}{result.Error}");
            Assert.Equal("", result.Error);
            Assert.Contains($"Usage:\n  {usage} ", result.Out);
        }
    }

    [Fact]
    public async Task The_root_help_lists_every_server_option_with_its_environment_variable_and_default()
    {
        var help = (await XrefProcess.RunAsync("--help")).Out;
        foreach (var (option, variable) in new[]
                 {
                     ("--database <database>", "XREF_DATABASE; default: sqlite:./data/xref.db"), ("--seed <file>", "XREF_SEED; default: none"),
                     ("--demo", "XREF_DEMO; default: off"), ("--rate-limit <permits/burst|off>", "XREF_RATE_LIMIT; default: 50/200"),
                     ("--log-level <level>", "XREF_LOG_LEVEL; default: Information"), ("--log-format <text|json>", "XREF_LOG_FORMAT; default: text"),
                     ("--urls <urls>", "ASPNETCORE_URLS; default: http://localhost:5000"), ("--sandbox", "XREF_SANDBOX; default: off"),
                 })
            Assert.Matches($@"\n  {System.Text.RegularExpressions.Regex.Escape(option)} +.*\({System.Text.RegularExpressions.Regex.Escape(variable)}\)\n", help);
        // ASP.NET's own host settings are accepted (a test host passes them) but not advertised.
        Assert.DoesNotContain("--environment", help);
    }

    public static TheoryData<string[], string, string> UsageErrors => new()
    {
        {
            ["--databse", "sqlite:./t.db"], "xref: Unrecognized command or argument '--databse'; did you mean --database?",
            "Usage: xref [command] [options]\nRun 'xref --help' for more."
        },
        { ["frobnicate"], "xref: Unrecognized command or argument 'frobnicate'.", "Usage: xref [command] [options]\nRun 'xref --help' for more." },
        {
            ["tokens", "lst"], "xref: Unrecognized command or argument 'lst'; did you mean list?",
            "Usage: xref tokens [command] [options]\nRun 'xref tokens --help' for more."
        },
        {
            ["tokens", "list", "--jsn"], "xref: Unrecognized command or argument '--jsn'; did you mean --json?",
            "Usage: xref tokens list [options]\nRun 'xref tokens list --help' for more."
        },
        {
            ["tokens", "revoke"], "xref: Required argument missing for command: 'revoke'.",
            "Usage: xref tokens revoke <id> [options]\nRun 'xref tokens revoke --help' for more."
        },
        {
            ["--log-level", "loud"], "xref: 'loud' is not a log level for --log-level; use one of Trace, Debug, Information, Warning, Error, Critical, None.",
            "Usage: xref [command] [options]\nRun 'xref --help' for more."
        },
        {
            // A server option is not an option of the operator commands.
            ["accounts", "list", "--seed", "seed.json"], "xref: Unrecognized command or argument '--seed'.",
            "Usage: xref accounts list [options]\nRun 'xref accounts list --help' for more."
        },
    };

    [Theory, MemberData(nameof(UsageErrors))]
    public async Task An_unknown_command_or_option_is_one_line_and_the_usage_with_exit_2(string[] args, string error, string usage)
    {
        var result = await XrefProcess.RunAsync([.. args, "--database", "memory"]);
        Assert.Equal((2, ""), (result.ExitCode, result.Out));
        Assert.Equal($"{error}\n{usage}\n", result.Error);
    }
}
