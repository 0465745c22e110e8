namespace Xref.Storage;

/// <summary>The SQL that differs between SQLite and PostgreSQL, and nothing else.</summary>
public sealed class SqlDialect
{
    private SqlDialect(DatabaseKind kind) => Kind = kind;

    public static readonly SqlDialect Sqlite = new(DatabaseKind.Sqlite);
    public static readonly SqlDialect Postgres = new(DatabaseKind.Postgres);

    public static SqlDialect For(DatabaseKind kind) => kind == DatabaseKind.Postgres ? Postgres : Sqlite;

    public DatabaseKind Kind { get; }

    /// <summary>
    /// <c>column IN (ids)</c> with one parameter holding every id: an array on PostgreSQL,
    /// a JSON array text on SQLite (read with json_each), so the statement text never depends on the values.
    /// </summary>
    public string InIds(string column, string parameter) => Kind == DatabaseKind.Postgres
        ? $"{column} = ANY({parameter})"
        : $"{column} IN (SELECT value FROM json_each({parameter}))";

    public object IdsParameter(IReadOnlyCollection<long> ids) => Kind == DatabaseKind.Postgres
        ? ids.ToArray()
        : System.Text.Json.JsonSerializer.Serialize(ids);

    /// <summary>After rows were inserted with explicit ids: moves PostgreSQL's identity past them (SQLite needs nothing).</summary>
    public string? SyncIdentitySql(string table) => Kind == DatabaseKind.Postgres
        ? $"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))"
        : null;

    /// <summary>Folder of this dialect's numbered migration files (embedded resources).</summary>
    public string MigrationFolder => Kind == DatabaseKind.Postgres ? "postgres" : "sqlite";
}
