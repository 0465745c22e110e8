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
    private PostgresGroupCommit? writer;

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

    /// <summary>
    /// One batch outside an explicit transaction: PostgreSQL runs the statements before the batch's Sync message as one
    /// implicit transaction (all committed, with synchronous_commit as configured, or none), so the write costs one
    /// round trip where BEGIN, the statements and COMMIT took two or three. Measured with the fresh scenario's upserts
    /// (bench/README.md): in Xref's own CPU, a PostgreSQL round trip is mostly kernel time (send, receive, wake-up).
    /// Writes waiting at the same moment share one such batch and its commit (<see cref="PostgresGroupCommit"/>).
    /// </summary>
    public override Task WriteAsync(IReadOnlyList<Statement> statements, CancellationToken ct = default)
    {
        if (writer is null) Interlocked.CompareExchange(ref writer, new PostgresGroupCommit(source, (c, statements, token) => RunAsync(c, null, statements, token)), null);
        return writer.WriteAsync(statements, ct);
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
        // Npgsql positions the reader only on result sets, and a statement without rows (an Execute) has none: the
        // readers take the result sets in turn, skipping the Execute statements. Before, every statement advanced the
        // reader, so a reader after an Execute was handed the next one's result set, or none (WebhookStore.RemoveAsync).
        var started = XrefMetrics.Start(XrefMetrics.CommandDuration);
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            foreach (var statement in statements)
            {
                if (statement.Read is not { } read) continue;
                await read(reader, ct);
                await reader.NextResultAsync(ct);
            }
            // A result set left over belongs to an Execute that returned rows: the readers above were misaligned.
            if (reader.FieldCount > 0) throw (statements.FirstOrDefault(s => s.Read is null) ?? statements[0]).ReturnedRows();
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

    // Any constant shared by every Xref node; it names the statistics lock in pg_locks.
    private const long StatisticsLockKey = 0x58726567;

    /// <summary>
    /// ANALYZE of each table modified, since its last analysis, by more than autovacuum's own threshold (50 rows plus
    /// 10% of its rows). Why Xref does it: autovacuum looks once a minute, and until a table is first analysed the
    /// planner knows nothing of it. Each connection plans its statements once (generic plans, see DatabaseUrl), and
    /// a plan made blind stayed until an analysis invalidated it. Measured on an empty database after 17,600 upserts
    /// through the API over 5,000 TimeEntries and 8 service names (EXPLAIN ANALYZE of the generic plans): the narrow
    /// list read 14,259 rows through external_references_by_created and sorted them (14 ms) instead of 20 entries
    /// of external_references_by_service_status (1.0 ms); the broad list sorted every TimeEntry row (4.9 ms, 0.37
    /// ms after ANALYZE). One node at a time checks (a transaction-scoped advisory lock; the others skip their turn).
    /// An analysis samples at most 30,000 rows, so its cost does not grow with the table.
    /// </summary>
    public override async Task<IReadOnlyList<string>> RefreshStatisticsAsync(CancellationToken ct)
    {
        await using var connection = await source.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var check = new NpgsqlCommand("""
            SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
            WHERE pg_try_advisory_xact_lock(@key) AND s.schemaname = current_schema() AND s.relname = ANY(@tables)
              AND s.n_mod_since_analyze > 50 + 0.1 * GREATEST(c.reltuples, 0)
            """, connection, transaction);
        check.Parameters.AddWithValue("key", StatisticsLockKey);
        check.Parameters.AddWithValue("tables", DataTables);
        var tables = new List<string>();
        await using (var reader = await check.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) tables.Add(reader.GetString(0));
        foreach (var table in tables)
        {
            // The name comes from DataTables, not from the database. A large table's analysis may outlast the
            // server's 2 s command timeout.
            await using var analyze = new NpgsqlCommand($"ANALYZE {table}", connection, transaction) { CommandTimeout = 120 };
            await analyze.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return tables;
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

    public override Task WipeAsync(DbConnection connection, DbTransaction tx, CancellationToken ct) => RunAsync(connection, tx,
        [
            Statement.Execute($"TRUNCATE {string.Join(", ", DataTables.Where(t => t != ListingVersions))} RESTART IDENTITY", SqlParameters.None),
            Statement.Execute(ZeroListingCounts, SqlParameters.None),
        ], ct);

    internal override string MigrationFolder => "postgres";

    internal override Task PrepareAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>Nodes starting together take turns on an advisory lock held until the migration's transaction ends.</summary>
    internal override async Task LockForMigrationAsync(DbConnection connection, DbTransaction tx)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", (NpgsqlConnection)connection, (NpgsqlTransaction)tx);
        command.Parameters.AddWithValue("key", MigrationLockKey);
        await command.ExecuteNonQueryAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        if (writer is not null) await writer.DisposeAsync();
        await source.DisposeAsync();
    }
}
