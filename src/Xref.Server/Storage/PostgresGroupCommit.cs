using System.Data.Common;
using System.Threading.Channels;
using Npgsql;
using Xref.Observability;

namespace Xref.Storage;

/// <summary>
/// Group commit for PostgreSQL's one-round-trip writes (<see cref="Database.WriteAsync(IReadOnlyList{Statement}, CancellationToken)"/>:
/// create_or_update, delete, a simulated sync): writes queue here, and one loop per node sends every write waiting at
/// that moment as one batch, which PostgreSQL runs as one implicit transaction and commits once. A write is
/// acknowledged only after that commit, so durability is what it was (synchronous_commit as configured).
/// <para>
/// When PostgreSQL refuses a statement of the group (a constraint, or a deadlock with another transaction), it rolls
/// the whole transaction back, so nothing of the group was written: each write then runs again alone, and only the
/// one at fault fails (a deadlock's victim is run again, see <see cref="RunAloneAsync"/>). When the database does not
/// answer (the connection lost, a timeout), every write of the group fails with that error, as each would have alone
/// (whether a commit in flight happened is then unknown either way), and so do the writes queued behind it.
/// </para>
/// <para>
/// Why: each transaction costs PostgreSQL a commit, a snapshot, a backend woken and put back to sleep, and this
/// machine's kernel spends more on those wake-ups than on the statements. pgbench on the fresh scenario's database,
/// create_or_update's statement: 2,187-2,410 upserts/s one per transaction from 16 clients, 5,248-5,696/s in groups of 8
/// from 2 clients, 6,208-6,352/s in groups of 16 (bench/README.md). One loop per node, not several: a group takes its
/// rows' locks in the order its writes came, so two groups of one node could deadlock; groups of different nodes
/// rarely meet (only when their backends count into the same stripe of the count tables) and, if they do, PostgreSQL
/// breaks the deadlock and the losing group runs again write by write.
/// </para>
/// </summary>
internal sealed class PostgresGroupCommit(NpgsqlDataSource source, Func<DbConnection, IReadOnlyList<Statement>, CancellationToken, Task> run)
    : IAsyncDisposable
{
    /// <summary>At most this many writes share a transaction, so one commit never waits behind an unbounded queue.</summary>
    private const int MaxGroup = 64;

    private readonly Channel<Write> queue = Channel.CreateUnbounded<Write>(new() { SingleReader = true });
    private readonly Lock startGate = new();
    private Task? loop;

    /// <summary>Runs <paramref name="statements"/> in the next group's transaction; completes after the commit that holds them.</summary>
    public Task WriteAsync(IReadOnlyList<Statement> statements, CancellationToken ct)
    {
        var write = new Write(statements, ct);
        if (!queue.Writer.TryWrite(write)) throw new ObjectDisposedException(nameof(PostgresGroupCommit));
        lock (startGate) loop ??= Task.Run(RunAsync);
        return write.Completion.Task;
    }

    private async Task RunAsync()
    {
        var group = new List<Write>(MaxGroup);
        while (await queue.Reader.WaitToReadAsync())
        {
            while (group.Count < MaxGroup && queue.Reader.TryRead(out var next))
                if (!next.TryCancel()) group.Add(next);
            if (group.Count == 0) continue;
            XrefMetrics.PostgresGroupCommitSize.Record(group.Count);
            foreach (var write in group) XrefMetrics.Elapsed(XrefMetrics.ConnectionWait, write.Queued, XrefMetrics.Postgres);
            var unreachable = await CommitAsync(group);
            group.Clear();
            // The database did not answer (a timeout, the connection lost): the writes that queued meanwhile would
            // each wait as long again behind the next group. They fail now, untried, as the group did: nothing of
            // them was written (outage.py --stop-mode freeze: every answer within 5 s).
            if (unreachable is not null)
                while (queue.Reader.TryRead(out var waiting)) waiting.Completion.TrySetException(unreachable);
        }
    }

    /// <summary>Runs a group; returns the failure when the database did not answer, else null.</summary>
    private async Task<Exception?> CommitAsync(List<Write> group)
    {
        if (group.Count > 1)
        {
            try
            {
                await RunAsync([.. group.SelectMany(w => w.Statements)]);
                foreach (var write in group) write.Completion.TrySetResult();
                return null;
            }
            catch (PostgresException)
            {
                // Rolled back whole: run each write alone below.
            }
            catch (Exception e)
            {
                foreach (var write in group) write.Completion.TrySetException(e);
                return Unreachable(e);
            }
        }
        foreach (var write in group)
            if (await RunAloneAsync(write) is { } unreachable)
            {
                foreach (var rest in group) rest.Completion.TrySetException(unreachable);
                return unreachable;
            }
        return null;
    }

    /// <summary>
    /// One write in a transaction of its own, run again when PostgreSQL chose it as a deadlock's victim: it was rolled
    /// back whole, so running it again is safe. A group holds its rows until it commits, so a lone write or another
    /// node's group can meet it in a cycle (the cluster test met one in 14,664 writes on 48 backends and 16 stripes);
    /// PostgreSQL breaks it after deadlock_timeout (1 s by default), and the write is then late, not lost.
    /// </summary>
    private async Task<Exception?> RunAloneAsync(Write write)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RunAsync(write.Statements);
                write.Completion.TrySetResult();
                return null;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected && attempt < MaxAttempts)
            {
            }
            catch (PostgresException e)
            {
                write.Completion.TrySetException(e);
                return null;
            }
            catch (Exception e)
            {
                write.Completion.TrySetException(e);
                return Unreachable(e);
            }
        }
    }

    private const int MaxAttempts = 3;

    /// <summary>
    /// The failure when it says the database did not answer: Npgsql's own (a timeout, a connection refused or lost), not
    /// PostgreSQL refusing a statement, and not an exception from a statement's reader.
    /// </summary>
    private static Exception? Unreachable(Exception e) => e is NpgsqlException and not PostgresException ? e : null;

    /// <summary>One batch on a connection of the pool; once sent, the group's writes no longer depend on their callers.</summary>
    private async Task RunAsync(IReadOnlyList<Statement> statements)
    {
        await using var connection = await source.OpenConnectionAsync(CancellationToken.None);
        await run(connection, statements, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        if (loop is not null) await loop;
    }

    private sealed class Write(IReadOnlyList<Statement> statements, CancellationToken ct)
    {
        /// <summary>When the write was queued (0 when no one measures the wait).</summary>
        public readonly long Queued = XrefMetrics.Start(XrefMetrics.ConnectionWait);

        public IReadOnlyList<Statement> Statements => statements;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>True (and the write cancelled) when its caller gave up before it ran.</summary>
        public bool TryCancel() => ct.IsCancellationRequested && Completion.TrySetCanceled(ct);
    }
}
