using System.Data.Common;
using System.Runtime.CompilerServices;

namespace Xref.Storage;

/// <summary>One SQL statement and how to bind its parameters.</summary>
public sealed record Statement(string Sql, Action<DbParameterCollection, Func<DbParameter>> Bind);

/// <summary>
/// Runs several read statements in one round trip where the database has round trips (NpgsqlBatch on
/// PostgreSQL) and one after the other where it does not (SQLite runs in-process). Results are consumed in order.
/// </summary>
public static class StatementBatch
{
    public static async Task RunAsync(DbConnection connection, IReadOnlyList<Statement> statements,
        Func<int, DbDataReader, Task> consume, CancellationToken ct)
    {
        if (connection.CanCreateBatch)
        {
            await using var batch = connection.CreateBatch();
            foreach (var statement in statements)
            {
                var command = batch.CreateBatchCommand();
                command.CommandText = statement.Sql;
                statement.Bind(command.Parameters, command.CreateParameter);
                batch.BatchCommands.Add(command);
            }
            await using var reader = await batch.ExecuteReaderAsync(ct);
            for (var i = 0; i < statements.Count; i++)
            {
                await consume(i, reader);
                await reader.NextResultAsync(ct);
            }
            return;
        }
        for (var i = 0; i < statements.Count; i++)
        {
            var command = PreparedCommand(connection, statements[i].Sql);
            command.Parameters.Clear();
            statements[i].Bind(command.Parameters, command.CreateParameter);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await consume(i, reader);
        }
    }

    private const int MaxPreparedPerConnection = 64;
    private static readonly ConditionalWeakTable<DbConnection, Dictionary<string, DbCommand>> Prepared = new();

    /// <summary>
    /// SQLite: one command per SQL text and connection, kept with the connection, so its statement is parsed and
    /// planned once per connection instead of once per request (Microsoft.Data.Sqlite has no statement cache of
    /// its own: measured under the list benchmark, preparing was 15-20% of the server's CPU). It pays off on the
    /// long-lived read connections of <see cref="Database.ReadAsync{T}"/>; a command lives as long as its connection.
    /// </summary>
    private static DbCommand PreparedCommand(DbConnection connection, string sql)
    {
        var commands = Prepared.GetOrCreateValue(connection);
        if (commands.TryGetValue(sql, out var command)) return command;
        if (commands.Count >= MaxPreparedPerConnection)
        {
            foreach (var old in commands.Values) old.Dispose();
            commands.Clear();
        }
        command = connection.CreateCommand();
        command.CommandText = sql;
        commands[sql] = command;
        return command;
    }

    /// <summary>Binds named values (typed by their CLR type; null as DBNull).</summary>
    public static Action<DbParameterCollection, Func<DbParameter>> Values(params (string Name, object? Value)[] values) => (target, create) =>
    {
        foreach (var (name, value) in values)
        {
            var parameter = create();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            if (value is null) parameter.DbType = System.Data.DbType.String;
            target.Add(parameter);
        }
    };
}
