using Npgsql;
using Xref.Storage;

namespace Xref.Tests.Infrastructure;

/// <summary>
/// A fresh, empty database per test: a SQLite file in a temporary folder, or a new PostgreSQL database on the
/// cluster that scripts/test.sh starts (XREF_TEST_POSTGRES).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? sqliteFolder;
    private readonly string? postgresName;

    private TestDatabase(string url, string? sqliteFolder, string? postgresName)
    {
        Url = url;
        this.sqliteFolder = sqliteFolder;
        this.postgresName = postgresName;
    }

    /// <summary>The value for <c>--database</c>.</summary>
    public string Url { get; }

    public static string AdminConnectionString => Environment.GetEnvironmentVariable("XREF_TEST_POSTGRES")
        ?? throw new InvalidOperationException(
            "XREF_TEST_POSTGRES is not set: run the suite with scripts/test.sh, which starts a throwaway PostgreSQL cluster.");

    public static async Task<TestDatabase> CreateAsync(string kind)
    {
        if (kind == "sqlite")
        {
            var folder = Directory.CreateTempSubdirectory("xref-test-").FullName;
            return new TestDatabase($"sqlite:{Path.Combine(folder, "xref.db")}", folder, null);
        }
        var name = "xref_test_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name };
        return new TestDatabase(builder.ConnectionString, null, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (sqliteFolder is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(sqliteFolder, recursive: true); } catch (IOException) { }
        }
        if (postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(AdminConnectionString);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {postgresName} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }

    public DatabaseKind Kind => postgresName is null ? DatabaseKind.Sqlite : DatabaseKind.Postgres;
}
