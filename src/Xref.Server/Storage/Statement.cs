using System.Collections.Concurrent;
using System.Data.Common;
using System.Reflection;

namespace Xref.Storage;

/// <summary>
/// One SQL statement, its parameters, and what to do with its rows. A batch of statements is run by
/// <see cref="Database.RunAsync(DbConnection, DbTransaction?, IReadOnlyList{Statement}, CancellationToken)"/>; each statement reads
/// its own rows, so no caller depends on a statement's position in the batch. <see cref="Read"/> is null for a statement
/// that returns no rows (<see cref="Execute"/>): PostgreSQL gives such a statement no result set in a batch, so the
/// batch must know which statements have one to hand each result set to its own statement.
/// </summary>
public sealed record Statement(string Sql, SqlParameters Parameters, Func<DbDataReader, CancellationToken, Task>? Read)
{
    /// <summary>Thrown (on both databases alike) when an <see cref="Execute"/> statement returned rows.</summary>
    internal InvalidOperationException ReturnedRows() =>
        new($"Statement.Execute is for statements that return no rows; use Statement.FirstRow or Rows for: {Sql}");

    /// <summary>
    /// Every row, read with <paramref name="rowReader"/> into <paramref name="into"/>. The row reader resolves its
    /// columns by name; it is built once per SQL text and kept, because a statement's result columns never change
    /// (SQLite's GetOrdinal walks the columns through native calls: resolving fifteen names on every list request
    /// cost the narrow list 6-10% in an A/B run).
    /// </summary>
    public static Statement Rows<T>(string sql, SqlParameters parameters, Func<DbDataReader, Func<DbDataReader, T>> rowReader, List<T> into) =>
        new(sql, parameters, async (reader, ct) =>
        {
            if (!await reader.ReadAsync(ct)) return;
            var read = CachedReader(sql, rowReader, reader);
            do into.Add(read(reader));
            while (await reader.ReadAsync(ct));
        });

    /// <summary>The row reader <paramref name="build"/> makes for <paramref name="sql"/>'s columns, built on its first result only.</summary>
    public static Func<DbDataReader, T> CachedReader<T>(string sql, Func<DbDataReader, Func<DbDataReader, T>> build, DbDataReader reader) =>
        (Func<DbDataReader, T>)RowReaders.GetOrAdd((sql, build.Method), static (_, r) => r.Build(r.Reader), (Reader: reader, Build: build));

    private static readonly ConcurrentDictionary<(string Sql, MethodInfo Reader), object> RowReaders = new();

    /// <summary>The first row only, handed to <paramref name="read"/> (not called when there is no row).</summary>
    public static Statement FirstRow(string sql, SqlParameters parameters, Action<DbDataReader> read) =>
        new(sql, parameters, async (reader, ct) =>
        {
            if (await reader.ReadAsync(ct)) read(reader);
        });

    /// <summary>A statement that returns no rows (an INSERT, UPDATE or DELETE without RETURNING); one that does is an error.</summary>
    public static Statement Execute(string sql, SqlParameters parameters) => new(sql, parameters, null);
}
