using Dapper;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.Operations;

/// <summary>
/// SQLite commits the writes waiting at one moment together (group commit), each in its own savepoint: a write
/// that fails must fail alone and leave nothing behind, the others must commit, and none is acknowledged early.
/// </summary>
public sealed class GroupCommitTests
{
    [Fact]
    public async Task Queued_writes_share_one_commit_and_a_failing_one_fails_alone()
    {
        await using var app = await XrefApp.StartAsync("sqlite");
        var database = app.Database;
        var holding = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var first = database.WriteAsync(async (c, tx) =>
        {
            holding.SetResult();
            await release.Task;
            return await c.ExecuteAsync("INSERT INTO accounts (id, name, created_at, updated_at) VALUES (50, 'first', 0, 0)", transaction: tx);
        });
        await holding.Task;
        var commitsBefore = database.SqliteCommits;

        Task<int> Insert(long id) => database.WriteAsync((c, tx) =>
            c.ExecuteAsync("INSERT INTO accounts (id, name, created_at, updated_at) VALUES (@id, 'queued', 0, 0)", new { id }, tx));
        var queued = new[] { Insert(51), Insert(52) };
        var failing = database.WriteAsync<int>(async (c, tx) =>
        {
            await c.ExecuteAsync("INSERT INTO accounts (id, name, created_at, updated_at) VALUES (53, 'undone', 0, 0)", transaction: tx);
            throw new InvalidOperationException("this write fails after writing");
        });
        var duplicate = Insert(51);
        var last = Insert(54);
        Assert.All(queued.Append(last), t => Assert.False(t.IsCompleted));

        release.SetResult();
        Assert.Equal(1, await first);
        var counts = await Task.WhenAll(queued.Append(last));
        Assert.Equal([1, 1, 1], counts);
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        await Assert.ThrowsAnyAsync<Exception>(() => duplicate);

        Assert.Equal(2, database.SqliteCommits - commitsBefore);
        var stored = await database.ReadAsync(async c => (await c.QueryAsync<long>("SELECT id FROM accounts WHERE id >= 50 ORDER BY id")).ToList());
        Assert.Equal([50, 51, 52, 54], stored);
    }
}
