using System.Data;
using System.Data.Common;

namespace Xref.Storage;

/// <summary>How a column's value travels in an export file (and which .NET value stands for it here).</summary>
public enum ColumnKind
{
    /// <summary>An id (long): a string on the wire, as every id in the API.</summary>
    Id,
    /// <summary>Text (string).</summary>
    Text,
    /// <summary>A boolean (bool); SQLite stores it as 0 or 1.</summary>
    Boolean,
    /// <summary>Unix seconds (long): an ISO 8601 string on the wire.</summary>
    Timestamp,
    /// <summary>A count or other integer that is not an id (long): a JSON number on the wire.</summary>
    Integer,
    /// <summary>A JSON array stored as text (string): written into the file as JSON, not as a string.</summary>
    JsonArray,
    /// <summary>A JSON object stored as text (string).</summary>
    JsonObject,
}

/// <summary>
/// A column of a <see cref="BulkTable"/>; <paramref name="JsonName"/> when the file names it otherwise (a subject's
/// <c>type</c>); <paramref name="Check"/> a JSON column's shape (its text in, a problem or null out), so a restored
/// value is one the API can read back.
/// </summary>
public sealed record BulkColumn(string Name, ColumnKind Kind, bool Nullable = false, IReadOnlyList<string>? Allowed = null, string? JsonName = null,
    Func<string, string?>? Check = null)
{
    public string FileName => JsonName ?? Name;

    private DbType Type => Kind switch
    {
        ColumnKind.Id or ColumnKind.Timestamp or ColumnKind.Integer => DbType.Int64,
        ColumnKind.Boolean => DbType.Boolean,
        _ => DbType.String,
    };

    internal void Bind(SqlParameters parameters, object? value) => parameters.Add(Name, value, Type);

    internal object? Read(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : Kind switch
    {
        ColumnKind.Id or ColumnKind.Timestamp or ColumnKind.Integer => r.GetInt64(ordinal),
        ColumnKind.Boolean => r.GetBoolean(ordinal),
        _ => r.GetString(ordinal),
    };
}

/// <summary>A condition (SQL over the row's parameters, named after its columns) a restored row's parents must meet, and the reason given when they do not.</summary>
public sealed record BulkParent(string Condition, string Reason);

/// <summary>What became of one restored row.</summary>
public enum RestoreOutcome { Created, Unchanged, Rejected }

/// <summary>
/// A table as <c>xref export</c> writes it and <c>xref import</c> restores it, declared by the store that owns the
/// table: its columns, the column naming its account, and the rows a restored row needs (<see cref="Parents"/>).
/// The SQL is built here from those names, never from values. A restore inserts rows with their own ids and never
/// overwrites: a row already stored with the same values is <see cref="RestoreOutcome.Unchanged"/> (an import can be
/// run again), one that differs, or whose parents are missing, is rejected with the reason.
/// </summary>
public sealed record BulkTable(string Table, IReadOnlyList<BulkColumn> Columns, string AccountColumn, string OrderBy, bool HasIdentity,
    IReadOnlyList<BulkParent> Parents)
{
    // Built once: the same text for every row, so each statement is prepared once per connection.
    private string? insert, same;

    private string ColumnList => string.Join(", ", Columns.Select(c => c.Name));

    private string Insert => insert ??= $"""
        INSERT INTO {Table} ({ColumnList})
        SELECT {string.Join(", ", Columns.Select(c => "@" + c.Name))}
        WHERE {(Parents.Count == 0 ? "TRUE" : string.Join(" AND ", Parents.Select(p => $"({p.Condition})")))}
        ON CONFLICT DO NOTHING
        RETURNING 1 AS inserted
        """;

    private string Same => same ??= $"SELECT 1 AS same FROM {Table} WHERE {string.Join(" AND ", Columns.Select(c => $"{c.Name} IS NOT DISTINCT FROM @{c.Name}"))}";

    /// <summary>Every row (of one account, or all) in <see cref="OrderBy"/> order, its values in <see cref="Columns"/> order.</summary>
    public Task ExportAsync(Database database, DbConnection c, DbTransaction tx, long? accountId, Func<object?[], Task> each, CancellationToken ct) =>
        database.ForEachAsync(c, tx,
        $"SELECT {ColumnList} FROM {Table} WHERE @account IS NULL OR {AccountColumn} = @account ORDER BY {OrderClause(database)}",
        new SqlParameters().Add("account", accountId, DbType.Int64), RowReader, each, ct);

    /// <summary><see cref="OrderBy"/> with its text columns in code-point order: the same export from either database.</summary>
    private string OrderClause(Database database) => string.Join(", ", OrderBy.Split(',', StringSplitOptions.TrimEntries)
        .Select(name => Columns.FirstOrDefault(c => c.Name == name)?.Kind == ColumnKind.Text ? database.InCodePointOrder(name) : name));

    private Func<DbDataReader, object?[]> RowReader(DbDataReader reader)
    {
        var ordinals = Columns.Select(c => reader.GetOrdinal(c.Name)).ToArray();
        return r => [.. Columns.Select((c, i) => c.Read(r, ordinals[i]))];
    }

    /// <summary>Restores rows (values in <see cref="Columns"/> order) in the caller's transaction; <paramref name="onOutcome"/> hears each row's fate, and the reason of a rejection.</summary>
    public async Task RestoreAsync(Database database, DbConnection c, DbTransaction tx, IReadOnlyList<object?[]> rows,
        Action<int, RestoreOutcome, string?> onOutcome, CancellationToken ct)
    {
        var inserted = new bool[rows.Count];
        await database.RunEachAsync(c, tx, rows.Select((row, i) => Statement.FirstRow(Insert, Bind(row), _ => inserted[i] = true)), ct);
        var notInserted = Enumerable.Range(0, rows.Count).Where(i => !inserted[i]).ToList();
        foreach (var i in Enumerable.Range(0, rows.Count).Where(i => inserted[i])) onOutcome(i, RestoreOutcome.Created, null);
        // The few rows not inserted: the same row already stored, a missing parent, or a different row holding the id.
        foreach (var i in notInserted)
        {
            var stored = false;
            var failed = new bool[Parents.Count];
            await database.RunAsync(c, tx, [
                Statement.FirstRow(Same, Bind(rows[i]), _ => stored = true),
                .. Parents.Select((p, n) => Statement.FirstRow($"SELECT 1 AS missing WHERE NOT ({p.Condition})", Bind(rows[i]), _ => failed[n] = true)),
            ], ct);
            if (stored) onOutcome(i, RestoreOutcome.Unchanged, null);
            else if (Array.IndexOf(failed, true) is var n and >= 0) onOutcome(i, RestoreOutcome.Rejected, Fill(Parents[n].Reason, rows[i]));
            else onOutcome(i, RestoreOutcome.Rejected, "a different record with this id (or unique key) is already in the database; import into an empty database.");
        }
        if (HasIdentity && rows.Count > 0) await database.SyncIdentityAsync(c, tx, Table);
    }

    private SqlParameters Bind(object?[] row)
    {
        var parameters = new SqlParameters();
        for (var i = 0; i < Columns.Count; i++) Columns[i].Bind(parameters, row[i]);
        return parameters;
    }

    /// <summary>The reason with each <c>{column}</c> replaced by the row's value.</summary>
    private string Fill(string reason, object?[] row)
    {
        for (var i = 0; i < Columns.Count; i++) reason = reason.Replace($"{{{Columns[i].Name}}}", Convert.ToString(row[i], System.Globalization.CultureInfo.InvariantCulture));
        return reason;
    }
}
