using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Xref.Seeding;
using Xref.Storage;

namespace Xref.Hosting;

/// <summary>
/// Says in one line what stopped start-up and what to do about it: <c>what is wrong — what to do</c>. The operator
/// gets that line; the stack trace only at <c>--log-level Debug</c>.
/// </summary>
public static class StartupFailure
{
    /// <param name="e">What start-up threw.</param>
    /// <param name="database">The <c>--database</c> setting, to name the database in the line.</param>
    public static string Describe(Exception e, string database)
    {
        while (e is AggregateException { InnerExceptions: [var single] }) e = single;
        return e switch
        {
            SeedException seed when seed.Message.Contains(": cannot be read: ", StringComparison.Ordinal) =>
                $"{Trim(seed.Message)} — check the --seed path (XREF_SEED)",
            SeedException seed => $"{Trim(seed.Message)} — correct the seed file and start again; nothing was applied",
            IOException { InnerException: AddressInUseException } io =>
                $"cannot listen on {Address(io)}: the address is already in use — stop the process using that port, or choose another with --urls",
            IOException { InnerException: SocketException { SocketErrorCode: SocketError.AccessDenied } } io =>
                $"cannot listen on {Address(io)}: permission denied — ports below 1024 need privileges; choose another with --urls",
            OperationCanceledException => "start-up was interrupted (Ctrl+C or SIGTERM) — start it again when ready",
            FormatException format when format.Message.StartsWith("--database", StringComparison.Ordinal) => DatabaseFormat(format, database),
            FormatException format => $"{Trim(format.Message)} — see xref --help",
            _ => DatabaseProblem.Describe(e, Display(database))
                 ?? $"{Trim(e.Message)} — run with --log-level Debug to see where it failed",
        };
    }

    /// <summary>Kestrel says "Failed to bind to address http://127.0.0.1:5080: address already in use."</summary>
    private static string Address(IOException e)
    {
        const string prefix = "Failed to bind to address ";
        var message = e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message;
        var colon = message.LastIndexOf(": ", StringComparison.Ordinal);
        return colon > 0 ? message[..colon] : Trim(message);
    }

    /// <summary>A bare path is the usual slip (the CLI's habit); suggest its <c>sqlite:</c> form.</summary>
    private static string DatabaseFormat(FormatException e, string database) =>
        !database.Contains(':') && !database.Contains('=') && database.Length > 0
            ? $"{Trim(e.Message)} — for a SQLite file, write --database sqlite:{database}"
            : $"{Trim(e.Message)} — see xref --help for the forms --database takes";

    private static string Display(string database)
    {
        try
        {
            return DatabaseUrl.Parse(database, failFast: false).Display;
        }
        catch (FormatException)
        {
            return database;
        }
    }

    private static string Trim(string message) => message.TrimEnd().TrimEnd('.');
}
