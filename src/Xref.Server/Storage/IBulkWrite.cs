using Npgsql;

namespace Xref.Storage;

/// <summary>
/// A set-based bulk write for PostgreSQL (binary COPY into a staging table, then a few set-based statements), run by
/// <see cref="Database.BulkWriteAsync"/> on PostgreSQL only; SQLite writes the same rows one prepared statement each.
/// </summary>
public interface IBulkWrite<T>
{
    /// <summary>Writes what it can of <paramref name="rows"/> in the connection's open transaction; returns the rows it left.</summary>
    Task<IReadOnlyList<T>> CopyAsync(NpgsqlConnection connection, IReadOnlyList<T> rows, CancellationToken ct);
}
