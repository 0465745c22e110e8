using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Xref.Storage;

/// <summary>
/// Says in one line why a database could not be opened and what to do (<c>what is wrong — what to do</c>), for the
/// server's start-up and the operator commands. The one place outside the two database types that knows their errors.
/// </summary>
public static class DatabaseProblem
{
    /// <param name="e">What opening or migrating the database threw.</param>
    /// <param name="display">The database as <see cref="DatabaseUrl.Display"/> names it (never a password).</param>
    /// <returns>The line, or null when <paramref name="e"/> is not a database problem.</returns>
    public static string? Describe(Exception e, string display) => e switch
    {
        PostgresException { SqlState: "3D000" } pg =>
            $"PostgreSQL at {display}: {pg.MessageText} — create it (createdb, or CREATE DATABASE) or correct the name in --database",
        PostgresException { SqlState: "28P01" or "28000" } pg =>
            $"PostgreSQL at {display} refused the login: {pg.MessageText} — check the user and password in --database",
        PostgresException { SqlState: "42501" } pg =>
            $"PostgreSQL at {display}: {pg.MessageText} — the user needs the right to create tables in that database (Xref migrates it at start)",
        PostgresException pg => $"PostgreSQL at {display}: {pg.MessageText} ({pg.SqlState}) — check --database and the server's log",
        NpgsqlException { InnerException: SocketException or TimeoutException } npgsql =>
            $"cannot reach PostgreSQL at {display}: {Trim(npgsql.InnerException!.Message)} — start it, or correct the host and port in --database",
        NpgsqlException npgsql => $"PostgreSQL at {display}: {Trim(npgsql.Message)} — check --database",
        SqliteException sqlite =>
            $"SQLite cannot use {display}: {sqlite.Message.Replace("SQLite Error ", "error ", StringComparison.Ordinal).TrimEnd('.')} — check the file's and its folder's permissions, or choose another path with --database sqlite:PATH",
        UnauthorizedAccessException or IOException when display.StartsWith("sqlite:", StringComparison.Ordinal) =>
            $"cannot create the SQLite database {display}: {Trim(e.Message)} — choose a folder Xref may write to (--database sqlite:PATH), or fix its permissions",
        _ => null,
    };

    private static string Trim(string message) => message.TrimEnd().TrimEnd('.');
}
