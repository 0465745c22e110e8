using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Xref.Storage;

/// <summary>
/// The process's one handle on its database: opens connections and runs write transactions.
/// The few SQL differences between SQLite and PostgreSQL live in <see cref="SqlDialect"/>.
/// </summary>
public sealed class Database : IAsyncDisposable
{
    private readonly NpgsqlDataSource? postgres;
    private readonly string? sqliteConnectionString;
    private readonly string writePragmas;

    // SQLite allows one writer at a time; queueing writers here instead of in busy_timeout keeps 32 concurrent
    // upserts from spinning on SQLITE_BUSY (busy_timeout stays as a backstop for other processes), and lets the
    // writes waiting at one moment share one commit.
    private readonly SqliteGroupCommit? sqliteWriter;

    /// <summary>SQLite: write transactions committed so far (writes queued together share one); 0 on PostgreSQL.</summary>
    public long SqliteCommits => sqliteWriter?.Commits ?? 0;

    private const int MaxIdleSqliteReaders = 32;
    private readonly ConcurrentBag<DbConnection> sqliteReaders = [];

    /// <param name="url">The database.</param>
    /// <param name="sqliteWriteCacheKiB">
    /// SQLite page cache of the one writing connection. Upserts at random keys touch five B-trees at random
    /// places; with SQLite's 2 MB default nearly every page was read again from the OS (at 1,000,000 references,
    /// 720-1,030 upserts/s on a slow day), with 64 MiB 1,460/s on the same machine, for about 45 MB more peak
    /// memory (32 MiB: 1,330/s; 128 MiB: no faster). A bulk import raises it further.
    /// </param>
    public Database(DatabaseUrl url, int sqliteWriteCacheKiB = 64 * 1024)
    {
        Url = url;
        writePragmas = $"PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA cache_size=-{sqliteWriteCacheKiB};";
        Dialect = SqlDialect.For(url.Kind);
        if (url.Kind == DatabaseKind.Postgres)
            postgres = new NpgsqlDataSourceBuilder(url.ConnectionString).Build();
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(new SqliteConnectionStringBuilder(url.ConnectionString).DataSource)!);
            sqliteConnectionString = url.ConnectionString;
            sqliteWriter = new SqliteGroupCommit(async ct => (SqliteConnection)await OpenAsync(forWrite: true, ct));
        }
    }

    public DatabaseUrl Url { get; }
    public SqlDialect Dialect { get; }
    public DatabaseKind Kind => Url.Kind;

    public Task<DbConnection> OpenAsync(CancellationToken ct = default) => OpenAsync(forWrite: false, ct);

    private async Task<DbConnection> OpenAsync(bool forWrite, CancellationToken ct)
    {
        if (postgres is not null) return await postgres.OpenConnectionAsync(ct);
        var connection = new SqliteConnection(sqliteConnectionString);
        await connection.OpenAsync(ct);
        // Reads need no settings (busy waits come from the connection string's Default Timeout); writes do.
        if (!forWrite) return connection;
        using var pragma = connection.CreateCommand();
        // NORMAL is durable across process crashes in WAL mode; see README "Durability".
        pragma.CommandText = writePragmas;
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction and commits it. On SQLite the transaction (BEGIN IMMEDIATE)
    /// may also hold other writes queued at the same moment, each in its own savepoint (<see cref="SqliteGroupCommit"/>).
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default)
    {
        if (Kind == DatabaseKind.Postgres)
        {
            await using var connection = await OpenAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            var result = await work(connection, transaction);
            await transaction.CommitAsync(CancellationToken.None);
            return result;
        }
        return await sqliteWriter!.WriteAsync(work, ct);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a read connection. SQLite's read connections stay open between requests
    /// (up to <see cref="MaxIdleSqliteReaders"/> idle), so the statements prepared on them are reused
    /// (<see cref="StatementBatch"/>); one that failed is closed rather than reused.
    /// </summary>
    public async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct = default)
    {
        if (postgres is not null)
        {
            await using var pooled = await postgres.OpenConnectionAsync(ct);
            return await work(pooled);
        }
        var connection = sqliteReaders.TryTake(out var idle) ? idle : await OpenAsync(forWrite: false, ct);
        var healthy = false;
        try
        {
            var result = await work(connection);
            healthy = true;
            return result;
        }
        finally
        {
            if (healthy && connection.State == ConnectionState.Open && sqliteReaders.Count < MaxIdleSqliteReaders) sqliteReaders.Add(connection);
            else await connection.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (postgres is not null) await postgres.DisposeAsync();
        else
        {
            await sqliteWriter!.DisposeAsync();
            while (sqliteReaders.TryTake(out var reader)) await reader.DisposeAsync();
            SqliteConnection.ClearAllPools();
        }
    }
}
