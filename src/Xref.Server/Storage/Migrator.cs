using System.Data.Common;
using System.Reflection;
using Dapper;

namespace Xref.Storage;

/// <summary>
/// Applies the numbered SQL files under <c>Storage/Migrations/&lt;dialect&gt;/</c> in order, each once, each in
/// its own transaction, recording it in <c>schema_migrations</c>. Safe when two nodes start at once:
/// PostgreSQL serialises them on an advisory lock, SQLite on BEGIN IMMEDIATE.
/// </summary>
public sealed class Migrator(Database database, ILogger<Migrator> logger)
{
    // Any constant shared by every Xref node; it names the lock in pg_locks.
    private const long PostgresLockKey = 0x58726566; // "Xref"

    public sealed record Migration(int Version, string Name, string Sql);

    public static IReadOnlyList<Migration> Load(SqlDialect dialect)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var prefix = $"Xref.Storage.Migrations.{dialect.MigrationFolder}.";
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal))
            .Select(name =>
            {
                var file = name[prefix.Length..];
                using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
                return new Migration(int.Parse(file[..file.IndexOf('_')]), file, reader.ReadToEnd());
            })
            .OrderBy(m => m.Version)
            .ToList();
    }

    public async Task<int> MigrateAsync(CancellationToken ct = default)
    {
        if (database.Kind == DatabaseKind.Sqlite)
        {
            await using var connection = await database.OpenAsync(ct);
            // WAL lets readers proceed while one writer commits; the setting is stored in the file.
            await connection.ExecuteAsync("PRAGMA journal_mode=WAL;");
        }
        await database.WriteAsync(async (c, tx) =>
        {
            await LockAsync(c, tx);
            await c.ExecuteAsync("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version     INTEGER PRIMARY KEY,
                    name        TEXT    NOT NULL,
                    applied_at  BIGINT  NOT NULL
                )
                """, transaction: tx);
            return 0;
        }, ct);

        var applied = 0;
        foreach (var migration in Load(database.Dialect))
        {
            var ran = await database.WriteAsync(async (c, tx) =>
            {
                await LockAsync(c, tx);
                var done = await c.ExecuteScalarAsync<long>(
                    "SELECT COUNT(*) FROM schema_migrations WHERE version = @Version", new { migration.Version }, tx);
                if (done > 0) return false;
                await c.ExecuteAsync(migration.Sql, transaction: tx);
                await c.ExecuteAsync(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @Now)",
                    new { migration.Version, migration.Name, Now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() }, tx);
                return true;
            }, ct);
            if (ran)
            {
                applied++;
                logger.LogInformation("Applied migration {Migration}", migration.Name);
            }
        }
        return applied;
    }

    private Task LockAsync(DbConnection connection, DbTransaction tx) => database.Kind == DatabaseKind.Postgres
        ? connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@Key)", new { Key = PostgresLockKey }, tx)
        : Task.CompletedTask;
}
