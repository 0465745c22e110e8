using Microsoft.Extensions.DependencyInjection;
using Xref.Storage;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.Storage;

/// <summary>
/// <see cref="Database.RunAsync(System.Data.Common.DbConnection, System.Data.Common.DbTransaction?, IReadOnlyList{Statement}, CancellationToken)"/>
/// hands each statement of a batch its own rows, whatever statements without rows stand between them, on both databases.
/// </summary>
public sealed class StatementBatchTests
{
    [Theory, AllDatabases]
    public async Task Each_reader_gets_its_own_rows_when_statements_without_rows_come_before_it(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var database = app.Services.GetRequiredService<Database>();
        var read = new List<string>();
        var state = (string key) => new SqlParameters().Add("key", key);
        await database.WriteAsync(async (c, tx) =>
        {
            await database.RunAsync(c, tx, [
                Statement.Execute("INSERT INTO xref_state (key, value) VALUES (@key, 'one')", state("a")),
                Statement.FirstRow("SELECT value FROM xref_state WHERE key = @key", state("a"), r => read.Add("first " + r.GetString(0))),
                Statement.Execute("INSERT INTO xref_state (key, value) VALUES (@key, 'two')", state("b")),
                Statement.Execute("DELETE FROM xref_state WHERE key = @key", state("a")),
                Statement.FirstRow("SELECT value FROM xref_state WHERE key = @key", state("b"), r => read.Add("second " + r.GetString(0))),
                Statement.FirstRow("DELETE FROM xref_state WHERE key = @key RETURNING value", state("b"), r => read.Add("deleted " + r.GetString(0))),
            ], CancellationToken.None);
            return 0;
        });
        Assert.Equal(["first one", "second two", "deleted two"], read);
    }

    [Theory, AllDatabases]
    public async Task An_execute_statement_that_returns_rows_is_refused_alike_on_both_databases(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var database = app.Services.GetRequiredService<Database>();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => database.ReadAsync(c =>
            database.RunAsync(c, null, [Statement.Execute("SELECT 1 AS one", SqlParameters.None)], CancellationToken.None)));
        Assert.Equal("Statement.Execute is for statements that return no rows; use Statement.FirstRow or Rows for: SELECT 1 AS one", e.Message);
    }
}
