using System.Data.Common;

namespace Xref.Storage;

/// <summary>
/// Runs one statement per row inside a transaction, as fast as each database allows: on PostgreSQL in
/// batches of up to 1,000 statements per round trip (NpgsqlBatch), on SQLite (in-process, no round trips)
/// as commands prepared once and re-executed. Used by the bulk import.
/// </summary>
public static class RowBatch
{
    private const int StatementsPerRoundTrip = 1000;

    public delegate void Bind<in T>(T row, DbParameterCollection parameters, Func<DbParameter> createParameter);

    /// <summary>Calls <paramref name="onResult"/> for every row in order, with the reader positioned on its first result row (if any).</summary>
    public static async Task RunAsync<T>(DbConnection connection, DbTransaction tx, IReadOnlyList<T> rows,
        Func<T, string> sql, Bind<T> bind, Action<T, DbDataReader?> onResult, CancellationToken ct)
    {
        if (connection.CanCreateBatch)
        {
            foreach (var chunk in rows.Chunk(StatementsPerRoundTrip))
            {
                await using var batch = connection.CreateBatch();
                batch.Transaction = tx;
                foreach (var row in chunk)
                {
                    var command = batch.CreateBatchCommand();
                    command.CommandText = sql(row);
                    bind(row, command.Parameters, command.CreateParameter);
                    batch.BatchCommands.Add(command);
                }
                await using var reader = await batch.ExecuteReaderAsync(ct);
                foreach (var row in chunk)
                {
                    onResult(row, await reader.ReadAsync(ct) ? reader : null);
                    await reader.NextResultAsync(ct);
                }
            }
            return;
        }
        var prepared = new Dictionary<string, DbCommand>();
        try
        {
            foreach (var row in rows)
            {
                var text = sql(row);
                if (!prepared.TryGetValue(text, out var command))
                {
                    prepared[text] = command = connection.CreateCommand();
                    command.Transaction = tx;
                    command.CommandText = text;
                }
                command.Parameters.Clear();
                bind(row, command.Parameters, command.CreateParameter);
                await using var reader = await command.ExecuteReaderAsync(ct);
                onResult(row, await reader.ReadAsync(ct) ? reader : null);
            }
        }
        finally
        {
            foreach (var command in prepared.Values) await command.DisposeAsync();
        }
    }
}
