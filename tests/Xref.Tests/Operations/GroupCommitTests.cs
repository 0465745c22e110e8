using Dapper;
using Npgsql;
using Xref.Storage;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.Operations;

/// <summary>
/// Both databases commit the writes waiting at one moment together (group commit): SQLite each in its own savepoint,
/// PostgreSQL in one batch run again write by write when PostgreSQL refuses one. A write that fails must fail alone
/// and leave nothing behind, the others must commit, and none is acknowledged early.
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

    [Fact]
    public async Task PostgreSQL_writes_queued_together_share_one_transaction_and_a_refused_one_fails_alone()
    {
        await using var app = await XrefApp.StartAsync("postgres");
        var database = app.Database;
        Task Insert(long id) => database.WriteAsync([Statement.Execute(
            "INSERT INTO accounts (id, name, created_at, updated_at) VALUES (@id, 'queued', 0, 0)", new SqlParameters().Add("id", id))]);
        // Keeps the node's one writer busy, so that the writes sent meanwhile queue up and leave as one group.
        async Task<Task> HoldAsync()
        {
            var hold = database.WriteAsync([Statement.Execute("DO $$ BEGIN PERFORM pg_sleep(0.5); END $$", SqlParameters.None)]);
            await Task.Delay(150);
            Assert.False(hold.IsCompleted);
            return hold;
        }

        var hold = await HoldAsync();
        var group = new[] { Insert(61), Insert(62), Insert(63) };
        Assert.All(group, t => Assert.False(t.IsCompleted));
        await hold;
        await Task.WhenAll(group);
        // One transaction wrote the three rows.
        Assert.Single(await database.ReadAsync(async c =>
            (await c.QueryAsync<long>("SELECT DISTINCT xmin::text::bigint FROM accounts WHERE id BETWEEN 61 AND 63")).ToList()));

        hold = await HoldAsync();
        var writes = new[] { Insert(71), Insert(61), Insert(72) };  // 61 exists
        await hold;
        await writes[0];
        await writes[2];
        Assert.Equal("23505", (await Assert.ThrowsAsync<PostgresException>(() => writes[1])).SqlState);
        var stored = await database.ReadAsync(async c => (await c.QueryAsync<long>("SELECT id FROM accounts WHERE id >= 61 ORDER BY id")).ToList());
        Assert.Equal([61, 62, 63, 71, 72], stored);
        Assert.Equal("queued", await database.ReadAsync(c => c.ExecuteScalarAsync<string>("SELECT name FROM accounts WHERE id = 61")));
    }

    [Fact]
    public async Task A_PostgreSQL_write_chosen_as_a_deadlock_victim_is_run_again_and_acknowledged()
    {
        await using var app = await XrefApp.StartAsync("postgres");
        var database = app.Database;
        await app.ExecuteSqlAsync("INSERT INTO accounts (id, name, created_at, updated_at) VALUES (81, 'a', 0, 0), (82, 'b', 0, 0)");
        var locked = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        // Another transaction takes row 81, then (once the write below waits for 81 while holding 82) row 82: a cycle.
        var other = database.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync("UPDATE accounts SET name = 'other' WHERE id = 81", transaction: tx);
            locked.SetResult();
            await release.Task;
            return await c.ExecuteAsync("UPDATE accounts SET name = 'other' WHERE id = 82", transaction: tx);
        });
        await locked.Task;
        var write = database.WriteAsync([
            Statement.Execute("UPDATE accounts SET name = 'write' WHERE id = 82", SqlParameters.None),
            Statement.Execute("UPDATE accounts SET name = 'write' WHERE id = 81", SqlParameters.None)]);
        await Task.Delay(300);  // the write now waits for row 81, holding row 82; it waited first, so PostgreSQL aborts it
        release.SetResult();
        Assert.Equal(1, await other);
        await write;
        Assert.Equal(["write", "write"], await database.ReadAsync(async c =>
            (await c.QueryAsync<string>("SELECT name FROM accounts WHERE id IN (81, 82) ORDER BY id")).ToList()));
    }
}
