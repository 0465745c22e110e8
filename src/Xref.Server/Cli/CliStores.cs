using Microsoft.Extensions.Logging.Abstractions;
using Xref.Accounts;
using Xref.ExternalReferences;
using Xref.OAuth;
using Xref.Storage;
using Xref.Subjects;

namespace Xref.Cli;

/// <summary>The database a command works on, migrated, and the stores that own its tables; disposing it closes the database.</summary>
public sealed class CliStores : IAsyncDisposable
{
    private CliStores(Database database)
    {
        Database = database;
        Accounts = new AccountStore(database, TimeProvider.System);
        Applications = new ApplicationStore(database, Accounts, TimeProvider.System);
        Subjects = new SubjectStore(database);
        References = new ExternalReferenceStore(database, Subjects, TimeProvider.System, new PageCache(enabled: false));
    }

    public Database Database { get; }
    public AccountStore Accounts { get; }
    public ApplicationStore Applications { get; }
    public SubjectStore Subjects { get; }
    public ExternalReferenceStore References { get; }

    /// <summary>Opens <paramref name="url"/> with the CLI's settings (long timeouts, a large import cache) and brings its schema up to date.</summary>
    public static async Task<CliStores> OpenAsync(DatabaseUrl url, CancellationToken ct)
    {
        var database = Database.Open(url, bulk: true);
        try
        {
            await new Migrator(database, NullLogger<Migrator>.Instance).MigrateAsync(ct);
            return new CliStores(database);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
