using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Xref.Observability;

namespace Xref.Storage;

/// <summary>
/// SQLite: a file in WAL mode, read connections kept open with their prepared statements, and one writer whose
/// writes waiting at the same moment share a commit (<see cref="SqliteGroupCommit"/>).
/// </summary>
public sealed class SqliteDatabase : Database
{
    private readonly string connectionString;
    private readonly string writePragmas;

    // SQLite allows one writer at a time; queueing writers here instead of in busy_timeout keeps 32 concurrent
    // upserts from spinning on SQLITE_BUSY (busy_timeout stays as a backstop for other processes), and lets the
    // writes waiting at one moment share one commit.
    private readonly SqliteGroupCommit writer;

    private const int MaxIdleReaders = 32;
    private readonly ConcurrentBag<SqliteConnection> readers = [];

    /// <param name="url">The database.</param>
    /// <param name="writeCacheKiB">
    /// Page cache of the one writing connection. Upserts at random keys touch five B-trees at random places; with
    /// SQLite's 2 MB default nearly every page was read again from the OS (at 1,000,000 references, 720-1,030
    /// upserts/s on a slow day), with 64 MiB 1,460/s on the same machine, for about 45 MB more peak memory
    /// (32 MiB: 1,330/s; 128 MiB: no faster). A bulk import raises it further.
    /// </param>
    /// <param name="statementTimeout">
    /// The server's limit on one statement (as PostgreSQL's command timeout): past it SQLite interrupts the statement
    /// (a progress handler) and the request answers 503. Null for the CLI, whose imports run long.
    /// </param>
    public SqliteDatabase(DatabaseUrl url, int writeCacheKiB, TimeSpan? statementTimeout) : base(url)
    {
        // NORMAL is durable across process crashes in WAL mode (a power loss may lose the last commits).
        writePragmas = $"PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA cache_size=-{writeCacheKiB};";
        connectionString = url.ConnectionString;
        this.statementTimeout = statementTimeout;
        if (url.InMemory)
        {
            // The in-memory database exists while a connection to it is open: this one stays open until disposal.
            keeper = new SqliteConnection(connectionString);
            keeper.Open();
        }
        else CreatePrivately(new SqliteConnectionStringBuilder(connectionString).DataSource);
        writer = new SqliteGroupCommit(OpenWriterAsync);
    }

    private readonly SqliteConnection? keeper;

    public override bool IsEmbedded => true;

    /// <summary>
    /// The folder (when Xref creates it) is 0700 and a new database file 0600: it holds token hashes. SQLite gives
    /// the -wal and -shm files it creates the database file's permissions.
    /// </summary>
    private static void CreatePrivately(string file)
    {
        var folder = Path.GetDirectoryName(file)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }
        if (!Directory.Exists(folder)) Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (!File.Exists(file))
            new FileStream(file, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }).Dispose();
    }

    private readonly TimeSpan? statementTimeout;

    /// <summary>
    /// What Xref keeps with each open connection: its prepared commands (<see cref="PreparedCommand"/>), and when the
    /// statement running on it must stop (ms of Environment.TickCount64), read by its progress handler.
    /// </summary>
    private sealed class PerConnection
    {
        public readonly Dictionary<string, DbCommand> Commands = [];
        public long DeadlineAt = long.MaxValue;
    }

    private static readonly ConditionalWeakTable<DbConnection, PerConnection> States = new();

    /// <summary>Every so many SQLite VM instructions the progress handler looks at the clock (a list page runs a few thousand).</summary>
    private const int InstructionsPerCheck = 10_000;

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        if (statementTimeout is not null)
        {
            SQLitePCL.raw.sqlite3_progress_handler(connection.Handle, InstructionsPerCheck,
                static state => Environment.TickCount64 > ((PerConnection)state).DeadlineAt ? 1 : 0, States.GetOrCreateValue(connection));
        }
        return connection;
    }

    public override long SqliteCommits => writer.Commits;
    public override bool CanStallThreadPool => false;

    public override bool IsUnavailable(Exception e) => e is TimeoutException
        || e is SqliteException { SqliteErrorCode: 5 or 6 or 9 or 10 or 14 }; // BUSY, LOCKED, INTERRUPT (the statement limit), IOERR, CANTOPEN

    private async Task<SqliteConnection> OpenWriterAsync(CancellationToken ct)
    {
        var connection = await OpenAsync(ct);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = writePragmas;
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    public override Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default) =>
        writer.WriteAsync(work, ct);

    /// <summary>
    /// Read connections stay open between requests (up to <see cref="MaxIdleReaders"/> idle), so the statements
    /// prepared on them are reused; one that failed is closed rather than reused. Reads need no settings (busy
    /// waits come from the connection string's Default Timeout).
    /// </summary>
    public override async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct = default)
    {
        if (!readers.TryTake(out var connection)) connection = await OpenAsync(ct);
        var healthy = false;
        try
        {
            var result = await work(connection);
            healthy = true;
            return result;
        }
        finally
        {
            if (healthy && connection.State == ConnectionState.Open && readers.Count < MaxIdleReaders) readers.Add(connection);
            else await connection.DisposeAsync();
        }
    }

    public override async Task RunAsync(DbConnection connection, DbTransaction? tx, IReadOnlyList<Statement> statements, CancellationToken ct)
    {
        var state = States.GetOrCreateValue(connection);
        var started = XrefMetrics.Start(XrefMetrics.CommandDuration);
        foreach (var statement in statements)
        {
            var command = PreparedCommand(connection, state.Commands, statement.Sql);
            command.Transaction = tx;
            command.Parameters.Clear();
            statement.Parameters.BindTo(command.Parameters, command.CreateParameter);
            if (statementTimeout is { } timeout) state.DeadlineAt = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            try
            {
                await using var reader = await command.ExecuteReaderAsync(ct);
                if (statement.Read is { } read) await read(reader, ct);
                else if (reader.FieldCount > 0) throw statement.ReturnedRows();
            }
            finally
            {
                state.DeadlineAt = long.MaxValue;
            }
        }
        XrefMetrics.Elapsed(XrefMetrics.CommandDuration, started, XrefMetrics.Sqlite);
    }

    private const int MaxPreparedPerConnection = 128;

    /// <summary>
    /// One command per SQL text and connection, kept with the connection, so its statement is parsed and planned
    /// once per connection instead of once per request (Microsoft.Data.Sqlite has no statement cache of its own:
    /// measured under the list benchmark, preparing was 15-20% of the server's CPU). It pays off on the long-lived
    /// read connections of <see cref="ReadAsync{T}"/> and on the writer; a command lives as long as its connection.
    /// </summary>
    private static DbCommand PreparedCommand(DbConnection connection, Dictionary<string, DbCommand> commands, string sql)
    {
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

    public override Task<IReadOnlyList<T>> BulkWriteAsync<T>(DbConnection connection, IReadOnlyList<T> rows, IBulkWrite<T> write, CancellationToken ct) =>
        Task.FromResult(rows);

    public override Task<bool> AfterBulkLoadAsync(string table, long rows, CancellationToken ct) => Task.FromResult(false);

    /// <summary>A JSON array text read with json_each, so the statement text never depends on the values.</summary>
    public override string InIds(string column, string parameter) => $"{column} IN (SELECT value FROM json_each({parameter}))";

    public override object IdsParameter(IReadOnlyCollection<long> ids) => System.Text.Json.JsonSerializer.Serialize(ids);

    /// <summary>AUTOINCREMENT already continues after the largest id.</summary>
    public override Task SyncIdentityAsync(DbConnection connection, DbTransaction tx, string table) => Task.CompletedTask;

    /// <summary>Deferred: a read transaction (never the write lock) whose WAL snapshot starts at its first read and lasts until it ends.</summary>
    protected override Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken ct) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    public override async Task<long> LastIdAsync(DbConnection connection, DbTransaction? tx, string table, CancellationToken ct)
    {
        long last = 0;
        await RunAsync(connection, tx, Statement.FirstRow("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = @table), 0) AS last",
            new SqlParameters().Add("table", table), r => last = r.Int64("last")), ct);
        return last;
    }

    /// <summary>sqlite_sequence is AUTOINCREMENT's memory of the largest id, an ordinary table SQLite lets us write.</summary>
    public override Task RaiseLastIdAsync(DbConnection connection, DbTransaction tx, string table, long lastId, CancellationToken ct) =>
        RunAsync(connection, tx, [
            Statement.Execute("UPDATE sqlite_sequence SET seq = MAX(seq, @last) WHERE name = @table",
                new SqlParameters().Add("table", table).Add("last", lastId, DbType.Int64)),
            Statement.Execute("""
                INSERT INTO sqlite_sequence (name, seq) SELECT @table, @last
                WHERE @last > 0 AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = @table)
                """, new SqlParameters().Add("table", table).Add("last", lastId, DbType.Int64)),
        ], ct);

    public override string InCodePointOrder(string column) => column;

    public override string ClaimRows => "";

    public override async Task WipeAsync(DbConnection connection, DbTransaction tx, CancellationToken ct)
    {
        foreach (var table in DataTables.Where(t => t != ListingVersions))
            await RunAsync(connection, tx, Statement.Execute($"DELETE FROM {table}", SqlParameters.None), ct);
        await RunAsync(connection, tx, Statement.Execute(ZeroListingCounts, SqlParameters.None), ct);
        // AUTOINCREMENT remembers the largest id ever used here: forgetting it restarts the ids at 1.
        await RunAsync(connection, tx, Statement.Execute("DELETE FROM sqlite_sequence", SqlParameters.None), ct);
    }

    internal override string MigrationFolder => "sqlite";

    /// <summary>WAL lets readers proceed while one writer commits; the setting is stored in the file.</summary>
    internal override async Task PrepareAsync(CancellationToken ct)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The writer's BEGIN IMMEDIATE already serialises migrations, across processes too.</summary>
    internal override Task LockForMigrationAsync(DbConnection connection, DbTransaction tx) => Task.CompletedTask;

    public override async ValueTask DisposeAsync()
    {
        await writer.DisposeAsync();
        while (readers.TryTake(out var reader)) await reader.DisposeAsync();
        if (keeper is not null) await keeper.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }
}
