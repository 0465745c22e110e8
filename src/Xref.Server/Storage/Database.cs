using System.Data.Common;

namespace Xref.Storage;

/// <summary>
/// The process's one handle on its database: read connections, write transactions, and every difference between
/// SQLite (<see cref="SqliteDatabase"/>) and PostgreSQL (<see cref="PostgresDatabase"/>). Code outside
/// <c>Storage/</c> never asks which of the two it is on; it calls a member of this class instead.
/// </summary>
public abstract class Database(DatabaseUrl url) : IAsyncDisposable
{
    /// <summary>Opens the database <paramref name="url"/> names: the one place that chooses between the two.</summary>
    /// <param name="url">The database.</param>
    /// <param name="bulk">
    /// True for the CLI: a 256 MiB SQLite page cache, so an import of a million lines keeps the hot parts of the five
    /// B-trees it writes in memory (chosen by the same reasoning as the server's 64 MiB, not measured separately).
    /// </param>
    public static Database Open(DatabaseUrl url, bool bulk = false) => url.Kind == DatabaseKind.Postgres
        ? new PostgresDatabase(url)
        : new SqliteDatabase(url, writeCacheKiB: bulk ? 256 * 1024 : 64 * 1024, statementTimeout: bulk ? null : StatementTimeout);

    /// <summary>The server's limit on one statement: PostgreSQL's command timeout (<see cref="DatabaseUrl"/>), and the same on SQLite.</summary>
    public static readonly TimeSpan StatementTimeout = TimeSpan.FromSeconds(2);

    public DatabaseUrl Url { get; } = url;

    /// <summary>SQLite: write transactions committed so far (writes queued together share one); 0 on PostgreSQL.</summary>
    public virtual long SqliteCommits => 0;

    /// <summary>
    /// An embedded database (a SQLite file): with no seed, the first start creates the demo account, so the first
    /// <c>dotnet run</c> shows something working. A shared server database starts empty unless <c>--demo</c>.
    /// </summary>
    public abstract bool IsEmbedded { get; }

    /// <summary>Whether a hung server can stall the thread pool (see <see cref="Hosting.StallFloor"/>).</summary>
    public abstract bool CanStallThreadPool { get; }

    /// <summary>True when <paramref name="e"/> says the database is unreachable or busy (answered 503), not that a statement is wrong.</summary>
    public abstract bool IsUnavailable(Exception e);

    /// <summary>Runs <paramref name="work"/> on a read connection.</summary>
    public abstract Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct = default);

    /// <summary>Runs <paramref name="work"/> on a read connection.</summary>
    public Task ReadAsync(Func<DbConnection, Task> work, CancellationToken ct = default) => ReadAsync(async c =>
    {
        await work(c);
        return true;
    }, ct);

    /// <summary>Runs <paramref name="work"/> in a write transaction and commits it; acknowledged only after the commit.</summary>
    public abstract Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default);

    /// <summary>
    /// Runs <paramref name="statements"/> as one write transaction and commits it; acknowledged only after the commit.
    /// For writes that need no answer from the database between their statements (an upsert, a delete): PostgreSQL
    /// runs them in one round trip instead of three (see <see cref="PostgresDatabase"/>). The statements' readers only
    /// report what was written: on PostgreSQL the batch has committed before they run, so an exception thrown from one
    /// does not undo the write. A write that must check a result before it commits uses
    /// <see cref="WriteAsync{T}(Func{DbConnection, DbTransaction, Task{T}}, CancellationToken)"/>.
    /// </summary>
    public virtual Task WriteAsync(IReadOnlyList<Statement> statements, CancellationToken ct = default) =>
        WriteAsync(async (c, tx) =>
        {
            await RunAsync(c, tx, statements, ct);
            return true;
        }, ct);

    /// <summary>
    /// Runs read statements, handing each statement's rows to its own reader: in one round trip where the database
    /// has round trips (PostgreSQL), one after the other where it does not (SQLite runs in-process).
    /// </summary>
    /// <param name="connection">A connection from <see cref="ReadAsync{T}"/> or <see cref="WriteAsync{T}"/>.</param>
    /// <param name="tx">The write transaction, when inside one.</param>
    /// <param name="statements">The statements, run in order.</param>
    /// <param name="ct">Cancels the statements.</param>
    public abstract Task RunAsync(DbConnection connection, DbTransaction? tx, IReadOnlyList<Statement> statements, CancellationToken ct);

    /// <summary>Runs a single statement; see <see cref="RunAsync(DbConnection, DbTransaction?, IReadOnlyList{Statement}, CancellationToken)"/>.</summary>
    public Task RunAsync(DbConnection connection, DbTransaction? tx, Statement statement, CancellationToken ct = default) =>
        RunAsync(connection, tx, [statement], ct);

    /// <summary>The rows of one query, each read with <paramref name="rowReader"/>.</summary>
    public async Task<List<T>> QueryAsync<T>(DbConnection connection, DbTransaction? tx, string sql, SqlParameters parameters,
        Func<DbDataReader, Func<DbDataReader, T>> rowReader, CancellationToken ct = default)
    {
        var rows = new List<T>();
        await RunAsync(connection, tx, Statement.Rows(sql, parameters, rowReader, rows), ct);
        return rows;
    }

    /// <summary>
    /// Runs many statements (one per row of a bulk write) in at most 1,000 per <see cref="RunAsync(DbConnection, DbTransaction?, IReadOnlyList{Statement}, CancellationToken)"/>,
    /// so PostgreSQL sends each thousand in one round trip and SQLite prepares each distinct statement once.
    /// </summary>
    public async Task RunEachAsync(DbConnection connection, DbTransaction tx, IEnumerable<Statement> statements, CancellationToken ct)
    {
        foreach (var chunk in statements.Chunk(1000)) await RunAsync(connection, tx, chunk, ct);
    }

    /// <summary>
    /// Writes what it can of <paramref name="rows"/> with a set-based bulk path and returns the rows left for
    /// <see cref="RunEachAsync"/>. SQLite has none (prepared statements in-process are as fast): it returns every row.
    /// </summary>
    public abstract Task<IReadOnlyList<T>> BulkWriteAsync<T>(DbConnection connection, IReadOnlyList<T> rows, IBulkWrite<T> write, CancellationToken ct);

    /// <summary>After a bulk load of <paramref name="rows"/> rows into <paramref name="table"/>; true when it did work worth telling the operator.</summary>
    public abstract Task<bool> AfterBulkLoadAsync(string table, long rows, CancellationToken ct);

    /// <summary><c>column IN (ids)</c> with one parameter holding every id, so the statement text never depends on the values.</summary>
    public abstract string InIds(string column, string parameter);

    /// <summary>The value for an <see cref="InIds"/> parameter.</summary>
    public abstract object IdsParameter(IReadOnlyCollection<long> ids);

    /// <summary>
    /// A text column in code-point order (SQLite's BINARY), whatever the database's collation, so that an export is the
    /// same bytes from either database (PostgreSQL: <c>COLLATE "C"</c>).
    /// </summary>
    public abstract string InCodePointOrder(string column);

    /// <summary>
    /// Appended to a <c>SELECT</c> that claims rows for work in a write transaction, so that nodes sharing the database
    /// claim different rows without waiting (PostgreSQL: <c>FOR UPDATE SKIP LOCKED</c>; SQLite has one writer: nothing).
    /// </summary>
    public abstract string ClaimRows { get; }

    /// <summary>After rows were inserted with explicit ids: moves the id generator past them.</summary>
    public abstract Task SyncIdentityAsync(DbConnection connection, DbTransaction tx, string table);

    /// <summary>
    /// The largest id <paramref name="table"/>'s id generator has handed out (or was moved to), 0 when none. An export
    /// records it, so a restored database never hands out an id again that the original once used and deleted.
    /// </summary>
    public abstract Task<long> LastIdAsync(DbConnection connection, DbTransaction? tx, string table, CancellationToken ct);

    /// <summary>Moves <paramref name="table"/>'s id generator to at least <paramref name="lastId"/> and past every stored id; never back.</summary>
    public abstract Task RaiseLastIdAsync(DbConnection connection, DbTransaction tx, string table, long lastId, CancellationToken ct);

    /// <summary>
    /// Runs <paramref name="work"/> on a read connection inside one snapshot: every statement sees the database as of
    /// the first. An export reads table after table; a write committed between two of them must not tear it (a
    /// reference exported without its new status report could not be restored).
    /// </summary>
    public Task ReadSnapshotAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken ct) => ReadAsync(async c =>
    {
        await using var tx = await BeginSnapshotAsync(c, ct);
        await work(c, tx);
        await tx.CommitAsync(ct);
    }, ct);

    /// <summary>A read-only transaction whose statements all see one snapshot.</summary>
    protected abstract Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken ct);

    /// <summary>Every row of one query handed to <paramref name="each"/> as it is read (exports): memory does not grow with the table.</summary>
    public Task ForEachAsync<T>(DbConnection connection, DbTransaction? tx, string sql, SqlParameters parameters,
        Func<DbDataReader, Func<DbDataReader, T>> rowReader, Func<T, Task> each, CancellationToken ct) =>
        RunAsync(connection, tx, new Statement(sql, parameters, async (reader, token) =>
        {
            if (!await reader.ReadAsync(token)) return;
            var read = rowReader(reader);
            do await each(read(reader));
            while (await reader.ReadAsync(token));
        }), ct);

    /// <summary>
    /// Analyses the tables whose planner statistics are out of date, and returns their names (the server calls it
    /// every few seconds through <see cref="StatisticsKeeper"/>). SQLite plans without them: nothing to do.
    /// </summary>
    public virtual Task<IReadOnlyList<string>> RefreshStatisticsAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>
    /// Every table that holds data (not <c>schema_migrations</c>), children before parents: what the sandbox's reset
    /// empties. A migration that adds a table adds it here.
    /// </summary>
    protected static readonly string[] DataTables =
        [
            "external_references", "reference_stats", "reference_totals", "status_reports", "subjects",
            "oauth_authorization_codes", "api_tokens", "oauth_applications", "webhook_deliveries", "webhook_subscriptions",
            "webhook_mutes", "reference_sync_hours", "users", "accounts", "xref_state",
        ];

    /// <summary>
    /// Empties every data table inside the caller's transaction, and restarts the ids where a new database starts them;
    /// <see cref="ListingVersions"/> keeps its rows, zeroed.
    /// </summary>
    public abstract Task WipeAsync(DbConnection connection, DbTransaction tx, CancellationToken ct);

    /// <summary>
    /// The count table whose <c>writes</c> are the listings' versions (ExternalReferences/ExternalReferenceStore): a
    /// wipe sets its counts to 0 and keeps its writes, so a version never comes back after a sandbox reset. Another node
    /// sharing the database, which did not see the reset, could otherwise find a page it remembers valid again once the
    /// new data had been written as many times as the old (its ids restart at 1 too).
    /// </summary>
    protected const string ListingVersions = "reference_totals";

    /// <summary>Zeroes <see cref="ListingVersions"/>'s counts after the other tables were emptied.</summary>
    protected const string ZeroListingCounts = $"UPDATE {ListingVersions} SET n = 0 WHERE n <> 0";

    /// <summary>The folder of this database's numbered migration files (embedded resources).</summary>
    internal abstract string MigrationFolder { get; }

    /// <summary>Before the first migration: settings stored in the database itself.</summary>
    internal abstract Task PrepareAsync(CancellationToken ct);

    /// <summary>Inside a migration's transaction: serialises nodes that start at the same moment.</summary>
    internal abstract Task LockForMigrationAsync(DbConnection connection, DbTransaction tx);

    /// <summary>
    /// The rows of <paramref name="table"/> with these ids in the account, in id order (a subject source's lookup
    /// for includes); <paramref name="narrow"/> may add conditions.
    /// </summary>
    public Task<List<T>> FindByIdsAsync<T>(string table, string columns, long accountId, IReadOnlyCollection<long> ids,
        Func<DbDataReader, Func<DbDataReader, T>> rowReader, CancellationToken ct, Func<WhereClause, WhereClause>? narrow = null) =>
        ReadAsync(c =>
        {
            var where = new WhereClause(this, "account_id", accountId).InIds("id", ids);
            if (narrow is not null) where = narrow(where);
            return QueryAsync(c, null, $"SELECT {columns} FROM {table} WHERE {where} ORDER BY id", where.Parameters, rowReader, ct);
        }, ct);

    /// <summary>A small fact stored about this database (<c>xref_state</c>: the hash of the last seed applied...), or null.</summary>
    public async Task<string?> GetStateAsync(DbConnection connection, DbTransaction? tx, string key, CancellationToken ct)
    {
        string? value = null;
        await RunAsync(connection, tx, Statement.FirstRow("SELECT value FROM xref_state WHERE key = @key",
            new SqlParameters().Add("key", key), r => value = r.GetString(r.GetOrdinal("value"))), ct);
        return value;
    }

    public Task SetStateAsync(DbConnection connection, DbTransaction tx, string key, string value, CancellationToken ct) =>
        RunAsync(connection, tx, Statement.Execute(
            "INSERT INTO xref_state (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            new SqlParameters().Add("key", key).Add("value", value)), ct);

    /// <summary>True when the database answers a trivial query.</summary>
    public Task PingAsync(CancellationToken ct) => ReadAsync(async c =>
    {
        await using var command = c.CreateCommand();
        command.CommandText = "SELECT 1";
        return await command.ExecuteScalarAsync(ct);
    }, ct);

    public abstract ValueTask DisposeAsync();
}
