using System.Data;
using System.Data.Common;
using System.Net.Sockets;
using Npgsql;
using Xref.Observability;

namespace Xref.Storage;

/// <summary>
/// PostgreSQL: one <see cref="NpgsqlDataSource"/> for the process (its pool, auto-prepared statements and
/// fail-fast timeouts are set in <see cref="DatabaseUrl"/>), read batches in one round trip, bulk writes by COPY.
/// </summary>
public sealed class PostgresDatabase(DatabaseUrl url) : Database(url)
{
    private readonly NpgsqlDataSource source = new NpgsqlDataSourceBuilder(url.ConnectionString).Build();

    // Any constant shared by every Xref node; it names the migration lock in pg_locks.
    private const long MigrationLockKey = 0x58726566; // "Xref"

    /// <summary>From this many written rows on, a bulk load is followed by VACUUM ANALYZE.</summary>
    private const long BulkLoadRows = 10_000;

    public override bool IsEmbedded => false;

    /// <summary>Npgsql cancels a timed-out command with a blocking connect, so a hung server can starve the pool.</summary>
    public override bool CanStallThreadPool => true;

    public override bool IsUnavailable(Exception e) => e switch
    {
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException or TimeoutException,
        TimeoutException => true,
        DbException { InnerException: SocketException } => true,
        _ => false,
    };

    public override async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await work(connection);
    }

    public override async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(CancellationToken.None);
        return result;
    }

    /// <summary>A connection from the pool; with metrics on, how long the request waited for it.</summary>
    private async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var started = XrefMetrics.Start(XrefMetrics.ConnectionWait);
        var connection = await source.OpenConnectionAsync(ct);
        XrefMetrics.Elapsed(XrefMetrics.ConnectionWait, started, XrefMetrics.Postgres);
        return connection;
    }

    /// <summary>One <see cref="NpgsqlBatch"/>: every statement in one round trip, each auto-prepared by Npgsql.</summary>
    public override async Task RunAsync(DbConnection connection, DbTransaction? tx, IReadOnlyList<Statement> statements, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch((NpgsqlConnection)connection, (NpgsqlTransaction?)tx);
        foreach (var statement in statements)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = statement.Sql;
            statement.Parameters.BindTo(command.Parameters, command.CreateParameter);
            batch.BatchCommands.Add(command);
        }
        var started = XrefMetrics.Start(XrefMetrics.CommandDuration);
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            foreach (var statement in statements)
            {
                await statement.Read(reader, ct);
                await reader.NextResultAsync(ct);
            }
        }
        XrefMetrics.Elapsed(XrefMetrics.CommandDuration, started, XrefMetrics.Postgres);
    }

    public override Task<IReadOnlyList<T>> BulkWriteAsync<T>(DbConnection connection, IReadOnlyList<T> rows, IBulkWrite<T> write, CancellationToken ct) =>
        write.CopyAsync((NpgsqlConnection)connection, rows, ct);

    /// <summary>
    /// VACUUM ANALYZE after a bulk load, as PostgreSQL's documentation advises, so the planner knows the new rows and
    /// the visibility map lets a deep page be counted from the index alone (EXPLAIN ANALYZE of OFFSET 50,000 right
    /// after importing 1,000,000 rows: 10,079 heap fetches).
    /// </summary>
    public override async Task<bool> AfterBulkLoadAsync(string table, long rows, CancellationToken ct)
    {
        if (rows < BulkLoadRows) return false;
        await using var connection = await source.OpenConnectionAsync(ct);
        await using var vacuum = new NpgsqlCommand($"VACUUM (ANALYZE) {table}", connection) { CommandTimeout = 0 };
        await vacuum.ExecuteNonQueryAsync(ct);
        return true;
    }

    /// <summary>An array parameter, so the statement text never depends on the values.</summary>
    public override string InIds(string column, string parameter) => $"{column} = ANY({parameter})";

    public override object IdsParameter(IReadOnlyCollection<long> ids) => ids.ToArray();

    public override async Task SyncIdentityAsync(DbConnection connection, DbTransaction tx, string table)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))",
            (NpgsqlConnection)connection, (NpgsqlTransaction)tx);
        await command.ExecuteNonQueryAsync();
    }

    public override Task WipeAsync(DbConnection connection, DbTransaction tx, CancellationToken ct) =>
        RunAsync(connection, tx, Statement.Execute($"TRUNCATE {string.Join(", ", DataTables)} RESTART IDENTITY", SqlParameters.None), ct);

    internal override string MigrationFolder => "postgres";

    internal override Task PrepareAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>Nodes starting together take turns on an advisory lock held until the migration's transaction ends.</summary>
    internal override async Task LockForMigrationAsync(DbConnection connection, DbTransaction tx)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", (NpgsqlConnection)connection, (NpgsqlTransaction)tx);
        command.Parameters.AddWithValue("key", MigrationLockKey);
        await command.ExecuteNonQueryAsync();
    }

    public override ValueTask DisposeAsync() => source.DisposeAsync();
}
