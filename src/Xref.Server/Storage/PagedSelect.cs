using System.Data.Common;
using Dapper;
using Xref.Wire;

namespace Xref.Storage;

/// <summary>
/// The list query every index endpoint runs: the exact count of all matching rows, and the requested page
/// in the requested order with the <c>id ASC</c> tiebreaker (contract §3). With <c>only</c>, no paging.
/// </summary>
public static class PagedSelect
{
    public static async Task<(long Count, List<T> Page)> RunAsync<T>(
        DbConnection connection, string table, string columns, WhereClause where, OrderRequest order, PageRequest page,
        bool paged, Func<DbDataReader, T> read, CancellationToken ct)
    {
        var rows = new List<T>();
        if (where.MatchesNothing) return (0, rows);
        var count = await connection.ExecuteScalarAsync<long>(
            new CommandDefinition($"SELECT COUNT(*) FROM {table} WHERE {where}", where.Parameters, cancellationToken: ct));
        if (count == 0) return (0, rows);
        var direction = order.Descending ? "DESC" : "ASC";
        // The page size (a validated 1-200) is written into the SQL so PostgreSQL's generic plan of the prepared
        // statement knows how few rows it returns (see ExternalReferenceStore.PageStatement).
        var limit = paged ? $" LIMIT {page.Limit} OFFSET {where.Parameter(page.Offset)}" : "";
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            $"SELECT {columns} FROM {table} WHERE {where} ORDER BY {order.Field} {direction}, id ASC{limit}",
            where.Parameters, cancellationToken: ct));
        while (await reader.ReadAsync(ct)) rows.Add(read(reader));
        return (count, rows);
    }
}
