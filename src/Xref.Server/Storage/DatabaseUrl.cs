using Microsoft.Data.Sqlite;
using Npgsql;

namespace Xref.Storage;

public enum DatabaseKind { Sqlite, Postgres }

/// <summary>
/// The <c>--database</c> value: <c>sqlite:&lt;path&gt;</c>, <c>postgres://user[:password]@host[:port]/db[?k=v]</c>
/// or an Npgsql connection string, turned into a provider connection string.
/// </summary>
public sealed record DatabaseUrl(DatabaseKind Kind, string ConnectionString, string Display, bool InMemory = false)
{
    public const string Default = "sqlite:./data/xref.db";

    /// <summary><c>--database memory</c>: a private SQLite database in this process's memory, shared by its connections.</summary>
    public const string Memory = "memory";

    /// <param name="value">The <c>--database</c> value (null or blank: the default).</param>
    /// <param name="failFast">The server's short PostgreSQL timeouts; the CLI keeps Npgsql's defaults for long imports.</param>
    public static DatabaseUrl Parse(string? value, bool failFast = true)
    {
        value = string.IsNullOrWhiteSpace(value) ? Default : value.Trim();
        if (value.Equals(Memory, StringComparison.OrdinalIgnoreCase) || value.Equals("sqlite::memory:", StringComparison.OrdinalIgnoreCase))
        {
            // SQLite's memdb VFS: a name starting with '/' is one database shared by every connection of the process,
            // with SQLite's ordinary locking (shared-cache :memory: databases lock whole tables instead). Nothing
            // touches the disk; the database lives while a connection is open (SqliteDatabase keeps one).
            var memory = new SqliteConnectionStringBuilder
            {
                DataSource = $"file:/xref-{Guid.NewGuid():N}?vfs=memdb",
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = true,
                DefaultTimeout = 30,
            };
            return new DatabaseUrl(DatabaseKind.Sqlite, memory.ToString(), Memory, InMemory: true);
        }
        if (value.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = value["sqlite:".Length..];
            if (path.StartsWith("//", StringComparison.Ordinal)) path = path[2..];
            if (path.Length == 0) throw new FormatException("--database sqlite: needs a file path, such as sqlite:./data/xref.db.");
            var full = Path.GetFullPath(path);
            var builder = new SqliteConnectionStringBuilder
            {
                DataSource = full,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Cache = SqliteCacheMode.Private,
                Pooling = true,
                DefaultTimeout = 30,
            };
            return new DatabaseUrl(DatabaseKind.Sqlite, builder.ToString(), "sqlite:" + full);
        }
        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return FromPostgresUrl(value, failFast);
        if (value.Contains('='))
        {
            var builder = WithServerDefaults(new NpgsqlConnectionStringBuilder(value), value, failFast);
            return new DatabaseUrl(DatabaseKind.Postgres, builder.ConnectionString, Describe(builder));
        }
        throw new FormatException($"--database '{value}' is neither sqlite:<path>, memory, a postgres:// URL nor an Npgsql connection string.");
    }

    private static DatabaseUrl FromPostgresUrl(string value, bool failFast)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new FormatException("--database postgres URL must look like postgres://user[:password]@host[:port]/dbname.");
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) builder.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var val = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            try { builder[key] = val; }
            catch (ArgumentException) { throw new FormatException($"--database: '{key}' is not a connection option Npgsql knows."); }
        }
        return new DatabaseUrl(DatabaseKind.Postgres, WithServerDefaults(builder, Uri.UnescapeDataString(uri.Query), failFast).ConnectionString, Describe(builder));
    }

    /// <summary>
    /// Unless the operator chose otherwise, fail fast when PostgreSQL is down or hung, so a request answers 503
    /// within seconds instead of hanging (Npgsql's defaults are 15 s to connect and 30 s per command). Measured
    /// against a frozen server (tests/faults/outage.py --stop-mode freeze), a timed-out command costs its command
    /// timeout plus two connect timeouts (the cancel request), so 1 s + 2 s keeps every answer under 5 s.
    /// </summary>
    private static NpgsqlConnectionStringBuilder WithServerDefaults(NpgsqlConnectionStringBuilder builder, string given, bool failFast)
    {
        // Xref runs a handful of statements over and over: let Npgsql prepare them once per connection, so
        // PostgreSQL parses and plans each only once (the import's upsert a million times, a listing's page query).
        if (!given.Contains("prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }
        // Xref sets no session state (no SET, temporary tables only in the CLI's import, transaction-scoped
        // advisory locks), so a pooled connection need not be reset when it is returned: Npgsql's reset runs a
        // seven-command statement in PostgreSQL before the next use, measured at 0.2 ms of server time per request.
        if (!given.Contains("reset", StringComparison.OrdinalIgnoreCase)) builder.NoResetOnClose = true;
        var keys = given.Replace(" ", "", StringComparison.Ordinal);
        // The server's statements are few, auto-prepared, and shaped so that one plan fits every value (equality
        // on indexed columns, the page size a literal): plan them once per connection. PostgreSQL's default
        // re-planned the list statements on every execution (perf: get_relation_info, copyObject, llseek in the
        // backends) because their custom plans looked cheaper; the generic plans served 24-34% more narrow lists and
        // 37-43% more random pages in A/B runs. A URL with its own Options keeps PostgreSQL's choice.
        if (failFast && !keys.Contains("options=", StringComparison.OrdinalIgnoreCase))
            builder.Options = "-c plan_cache_mode=force_generic_plan";
        // At most eight connections per core of this node (16 on 2 cores): a 2-core node opening a backend for
        // each of 64 concurrent requests spent more than the 1 s connect timeout forking them (503s), and more
        // backends than the cores can run only lengthen the tail (random-page p99 72-81 ms with 8 connections,
        // 108-116 ms with 16, 122-131 ms with 100). 8 was too few: a request waits for a free connection within
        // the same 1 s timeout, and under 32 clients asking for deep uncached pages some waited longer (503).
        if (failFast && !keys.Contains("maxpoolsize", StringComparison.OrdinalIgnoreCase) && !keys.Contains("maximumpoolsize", StringComparison.OrdinalIgnoreCase))
            builder.MaxPoolSize = Math.Max(16, 8 * Environment.ProcessorCount);
        if (failFast && !given.Contains("timeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.Timeout = 1;
            builder.CommandTimeout = 2;
            // Do not wait for a hung server to acknowledge the cancel request.
            builder.CancellationTimeout = -1;
        }
        return builder;
    }

    /// <summary>For logs and messages: never includes the password.</summary>
    private static string Describe(NpgsqlConnectionStringBuilder b) => $"postgres://{b.Username}@{b.Host}:{b.Port}/{b.Database}";
}
