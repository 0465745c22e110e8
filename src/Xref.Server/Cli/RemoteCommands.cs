using System.CommandLine;
using Xref.Client;

namespace Xref.Cli;

/// <summary>
/// <c>xref remote refs …</c> and <c>xref remote reports …</c>: the API of a running Xref, or of Kantata OX itself,
/// over HTTP through Xref.Client (the other commands open the database directly). <c>--base-url</c> and
/// <c>--token</c> (or <c>XREF_BASE_URL</c>, <c>XREF_TOKEN</c>); tables for people, <c>--json</c> for scripts.
/// </summary>
public static class RemoteCommands
{
    public static readonly Option<string?> BaseUrl = new("--base-url")
    {
        Description = "The server, such as http://127.0.0.1:5080 or https://api.mavenlink.com/api/v1 (default: XREF_BASE_URL)",
        Recursive = true,
    };

    public static readonly Option<string?> Token = new("--token") { Description = "A bearer token (default: XREF_TOKEN)", Recursive = true };

    public static readonly Option<bool> Json = new("--json") { Description = "Write JSON instead of a table", Recursive = true };

    public static Command Remote()
    {
        var remote = new Command("remote", "Call a running Xref, or Kantata OX, over HTTP.") { BaseUrl, Token, Json };
        remote.Subcommands.Add(RemoteReferenceCommands.Commands());
        remote.Subcommands.Add(RemoteReportCommands.Commands());
        return remote;
    }

    /// <summary>The client the options (or the environment) name.</summary>
    public static KantataClient Client(ParseResult parse)
    {
        var url = parse.GetValue(BaseUrl) ?? Environment.GetEnvironmentVariable("XREF_BASE_URL")
            ?? throw new CliException("Give --base-url (or XREF_BASE_URL), such as http://127.0.0.1:5080.");
        var token = parse.GetValue(Token) ?? Environment.GetEnvironmentVariable("XREF_TOKEN")
            ?? throw new CliException("Give --token (or XREF_TOKEN): a bearer token of the server.");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new CliException($"--base-url '{url}' is not an http(s) URL.");
        return new KantataClient(uri, token);
    }

    /// <summary>Runs a remote command: an API error or an unreachable server is one line on standard error and exit 1.</summary>
    public static Task<int> GuardAsync(ParseResult parse, Func<KantataClient, RemoteOutput, Task<int>> body) => XrefCli.GuardAsync(async () =>
    {
        try
        {
            return await body(Client(parse), new RemoteOutput(parse.GetValue(Json)));
        }
        catch (KantataApiException e)
        {
            throw new CliException(e.Message);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"{parse.GetValue(BaseUrl) ?? Environment.GetEnvironmentVariable("XREF_BASE_URL")} did not answer: {e.Message}");
        }
    });

    /// <summary>Reads <c>field:direction</c> as one of an order enum's values (<c>created_at:asc</c> → <c>CreatedAtAsc</c>).</summary>
    public static T? ParseOrder<T>(string? text) where T : struct, Enum
    {
        if (text is null) return null;
        var name = string.Concat(text.Replace(':', '_').Split('_').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));
        return Enum.TryParse<T>(name, ignoreCase: false, out var order) ? order
            : throw new CliException($"--order '{text}' is not one of {string.Join(", ", Enum.GetNames<T>().Select(Wire))}.");
    }

    private static string Wire(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()))
            .Replace("_asc", ":asc").Replace("_desc", ":desc");
}
