using System.Data;
using System.Data.Common;
using System.Net.Sockets;
using Npgsql;

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
        await using var connection = await source.OpenConnectionAsync(ct);
        return await work(connection);
    }

    public override async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default)
    {
        await using var connection = await source.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(CancellationToken.None);
        return result;
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
        // Npgsql positions the reader only on result sets, and a statement without rows (an Execute) has none: the
        // readers take the result sets in turn, skipping the Execute statements. Before, every statement advanced the
        // reader, so a reader after an Execute was handed the next one's result set, or none (WebhookStore.RemoveAsync).
        await using var reader = await batch.ExecuteReaderAsync(ct);
        foreach (var statement in statements)
        {
            if (statement.Read is not { } read) continue;
            await read(reader, ct);
            await reader.NextResultAsync(ct);
        }
        // A result set left over belongs to an Execute that returned rows: the readers above were misaligned.
        if (reader.FieldCount > 0) throw (statements.FirstOrDefault(s => s.Read is null) ?? statements[0]).ReturnedRows();
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

    protected override async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken ct) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);

    public override Task SyncIdentityAsync(DbConnection connection, DbTransaction tx, string table) =>
        RaiseLastIdAsync(connection, tx, table, 0, CancellationToken.None);

    public override async Task<long> LastIdAsync(DbConnection connection, DbTransaction? tx, string table, CancellationToken ct)
    {
        long last = 0;
        await RunAsync(connection, tx, Statement.FirstRow(
            $"SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence('{table}', 'id')::regclass), 0) AS last",
            SqlParameters.None, r => last = r.Int64("last")), ct);
        return last;
    }

    /// <summary>
    /// setval to the largest of the three, so the generator never moves back (a plain MAX(id) would hand out again
    /// the ids of deleted rows above it).
    /// </summary>
    public override Task RaiseLastIdAsync(DbConnection connection, DbTransaction tx, string table, long lastId, CancellationToken ct) =>
        RunAsync(connection, tx, Statement.FirstRow($"""
            SELECT setval(pg_get_serial_sequence('{table}', 'id'), last) FROM (SELECT GREATEST(@last,
                (SELECT COALESCE(MAX(id), 0) FROM {table}),
                COALESCE(pg_sequence_last_value(pg_get_serial_sequence('{table}', 'id')::regclass), 0)) AS last) s
            WHERE last > 0
            """, new SqlParameters().Add("last", lastId, DbType.Int64), _ => { }), ct);

    public override string InCodePointOrder(string column) => $"{column} COLLATE \"C\"";

    public override string ClaimRows => "FOR UPDATE SKIP LOCKED";

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
