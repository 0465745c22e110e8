using System.Data;
using System.Reflection;

namespace Xref.Storage;

/// <summary>
/// Applies the numbered SQL files under <c>Storage/Migrations/&lt;dialect&gt;/</c> in order, each once, each in
/// its own transaction, recording it in <c>schema_migrations</c>. Safe when two nodes start at once: each
/// migration's transaction first takes the database's migration lock (<see cref="Database.LockForMigrationAsync"/>).
/// </summary>
public sealed class Migrator(Database database, ILogger<Migrator> logger)
{
    public sealed record Migration(int Version, string Name, string Sql);

    private const string CreateTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version     INTEGER PRIMARY KEY,
            name        TEXT    NOT NULL,
            applied_at  BIGINT  NOT NULL
        )
        """;

    public static IReadOnlyList<Migration> Load(Database database)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var prefix = $"Xref.Storage.Migrations.{database.MigrationFolder}.";
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
        await database.PrepareAsync(ct);
        await database.WriteAsync(async (c, tx) =>
        {
            await database.LockForMigrationAsync(c, tx);
            await database.RunAsync(c, tx, Statement.Execute(CreateTable, SqlParameters.None), ct);
            return 0;
        }, ct);

        var applied = 0;
        foreach (var migration in Load(database))
        {
            var ran = await database.WriteAsync(async (c, tx) =>
            {
                await database.LockForMigrationAsync(c, tx);
                var done = false;
                await database.RunAsync(c, tx, Statement.FirstRow("SELECT 1 FROM schema_migrations WHERE version = @version",
                    new SqlParameters().Add("version", migration.Version, DbType.Int32), _ => done = true), ct);
                if (done) return false;
                // A migration file holds several statements: run it as one command, not as a prepared statement.
                await using (var command = c.CreateCommand())
                {
                    command.Transaction = tx;
                    command.CommandText = migration.Sql;
                    await command.ExecuteNonQueryAsync(ct);
                }
                await database.RunAsync(c, tx, Statement.Execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @now)",
                    new SqlParameters().Add("version", migration.Version, DbType.Int32).Add("name", migration.Name)
                        .Add("now", DateTimeOffset.UtcNow.ToUnixTimeSeconds())), ct);
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
}
