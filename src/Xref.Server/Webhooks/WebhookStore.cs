using System.Data;
using System.Data.Common;
using Xref.Accounts;
using Xref.Storage;

namespace Xref.Webhooks;

/// <summary>
/// All SQL on <c>webhook_subscriptions</c>, <c>webhook_deliveries</c> and <c>webhook_mutes</c>. Deliveries are written by
/// triggers on <c>external_references</c> (migration 010) in the transaction that changed the status; this store
/// claims them for the dispatcher, records each attempt, and reads the log.
/// </summary>
public sealed partial class WebhookStore(Database database, AccountStore accounts, TimeProvider clock)
{
    private const string SubscriptionColumns = "id, account_id, url, on_failed, on_recovered, created_at";

    /// <summary>Creates a subscription; its id, or null when the account does not exist.</summary>
    public Task<long?> AddAsync(long accountId, string url, bool onFailed, bool onRecovered, string secret, CancellationToken ct) =>
        database.WriteAsync(async (c, tx) =>
        {
            if (!await accounts.AccountExistsAsync(c, tx, accountId, ct)) return null;
            long? id = null;
            await database.RunAsync(c, tx, Statement.FirstRow("""
                INSERT INTO webhook_subscriptions (account_id, url, on_failed, on_recovered, secret, created_at)
                VALUES (@account, @url, @failed, @recovered, @secret, @now) RETURNING id
                """, new SqlParameters().Add("account", accountId).Add("url", url).Add("failed", onFailed, DbType.Boolean)
                    .Add("recovered", onRecovered, DbType.Boolean).Add("secret", secret).Add("now", clock.GetUtcNow().ToUnixTimeSeconds()),
                r => id = r.Int64("id")), ct);
            return id;
        }, ct);

    public Task<List<WebhookSubscription>> ListAsync(long? accountId, CancellationToken ct) => database.ReadAsync(c => database.QueryAsync(c, null,
        $"SELECT {SubscriptionColumns} FROM webhook_subscriptions WHERE @account IS NULL OR account_id = @account ORDER BY id",
        new SqlParameters().Add("account", accountId, DbType.Int64), SubscriptionReader, ct), ct);

    /// <summary>Removes a subscription and its delivery log (pending deliveries are dropped); false when there is none.</summary>
    public Task<bool> RemoveAsync(long id, CancellationToken ct) => database.WriteAsync(async (c, tx) =>
    {
        var removed = false;
        // One batch (one round trip on PostgreSQL): the delete's reader gets its own rows after the Execute (StatementBatchTests).
        await database.RunAsync(c, tx, [
            Statement.Execute("DELETE FROM webhook_deliveries WHERE subscription_id = @id", new SqlParameters().Add("id", id)),
            Statement.FirstRow("DELETE FROM webhook_subscriptions WHERE id = @id RETURNING id", new SqlParameters().Add("id", id), _ => removed = true),
        ], ct);
        return removed;
    }, ct);

    /// <summary>The newest <paramref name="limit"/> deliveries of a subscription, newest first.</summary>
    public Task<List<WebhookDelivery>> DeliveriesAsync(long subscriptionId, int limit, CancellationToken ct) => database.ReadAsync(c =>
        database.QueryAsync(c, null, $"""
            SELECT id, subscription_id, event, reference_id, previous_status, occurred_at, state, attempts, last_attempt_ms,
                response_status, last_error
            FROM webhook_deliveries WHERE subscription_id = @id ORDER BY id DESC LIMIT {Math.Clamp(limit, 1, 10_000)}
            """, new SqlParameters().Add("id", subscriptionId), DeliveryReader, ct), ct);

    /// <summary>A delivery claimed for sending: the event, and where and with what secret to send it.</summary>
    public sealed record Claimed(long Id, long SubscriptionId, string Event, string? PreviousStatus, string Reference, long OccurredAt,
        int Attempts, string Url, string Secret);

    /// <summary>
    /// Whether any delivery is due: a read on the partial index, so an idle node polls without taking the write lock
    /// (SQLite's single writer) or a transaction.
    /// </summary>
    public Task<bool> AnyDueAsync(long nowMs, CancellationToken ct) => database.ReadAsync(async c =>
    {
        var due = false;
        await database.RunAsync(c, null, Statement.FirstRow(
            "SELECT 1 AS due FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_ms <= @now LIMIT 1",
            new SqlParameters().Add("now", nowMs), _ => due = true), ct);
        return due;
    }, ct);

    /// <summary>
    /// Claims up to <paramref name="limit"/> due deliveries, oldest first, by moving them <paramref name="lease"/> ahead:
    /// another node (or this one after a crash) takes a delivery over only when its lease has run out unrecorded.
    /// </summary>
    public Task<List<Claimed>> ClaimDueAsync(long nowMs, TimeSpan lease, int limit, CancellationToken ct) => database.WriteAsync(async (c, tx) =>
    {
        var claimed = await database.QueryAsync<Claimed>(c, tx, $"""
            SELECT d.id, d.subscription_id, d.event, d.previous_status, d.reference, d.occurred_at, d.attempts, s.url, s.secret
            FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
            WHERE d.id IN (SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_ms <= @now
                           ORDER BY next_attempt_ms, id LIMIT {limit} {database.ClaimRows})
            ORDER BY d.id
            """, new SqlParameters().Add("now", nowMs), r =>
        {
            int id = r.GetOrdinal("id"), subscription = r.GetOrdinal("subscription_id"), kind = r.GetOrdinal("event"),
                previous = r.GetOrdinal("previous_status"), reference = r.GetOrdinal("reference"), occurred = r.GetOrdinal("occurred_at"),
                attempts = r.GetOrdinal("attempts"), url = r.GetOrdinal("url"), secret = r.GetOrdinal("secret");
            return r => new Claimed(r.GetInt64(id), r.GetInt64(subscription), r.GetString(kind), r.NullableString(previous),
                r.GetString(reference), r.GetInt64(occurred), r.GetInt32(attempts), r.GetString(url), r.GetString(secret));
        }, ct);
        if (claimed.Count > 0)
            await database.RunAsync(c, tx, Statement.Execute(
                $"UPDATE webhook_deliveries SET next_attempt_ms = @lease WHERE {database.InIds("id", "@ids")}",
                new SqlParameters().Add("lease", nowMs + (long)lease.TotalMilliseconds).Add("ids", database.IdsParameter(claimed.Select(d => d.Id).ToList()))), ct);
        return claimed;
    }, ct);

    /// <summary>An attempt's outcome: a null <c>NextAttemptMs</c> means no retry (delivered, or given up).</summary>
    public sealed record Outcome(long Id, bool Delivered, long? NextAttemptMs, int? ResponseStatus, string? Error);

    /// <summary>Records the outcomes of one round of attempts in one transaction.</summary>
    public Task RecordAsync(IReadOnlyList<Outcome> outcomes, long nowMs, CancellationToken ct) => database.WriteAsync(async (c, tx) =>
    {
        await database.RunAsync(c, tx, outcomes.Select(o => Statement.Execute("""
            UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_ms = @now, response_status = @status, last_error = @error,
                state = @state, next_attempt_ms = COALESCE(@next, next_attempt_ms)
            WHERE id = @id AND state = 'pending'
            """, new SqlParameters().Add("now", nowMs).Add("status", o.ResponseStatus, DbType.Int32).Add("error", o.Error)
                .Add("state", o.Delivered ? "delivered" : o.NextAttemptMs is null ? "failed" : "pending")
                .Add("next", o.NextAttemptMs, DbType.Int64).Add("id", o.Id))).ToList(), ct);
        return 0;
    }, ct);

    /// <summary>
    /// Wrapped around a bulk import's writes, inside its transaction: the triggers write no delivery while the row is
    /// there, and no other transaction ever sees it.
    /// </summary>
    public static Statement Mute => Statement.Execute("INSERT INTO webhook_mutes (muted) VALUES (1)", SqlParameters.None);

    public static Statement Unmute => Statement.Execute("DELETE FROM webhook_mutes", SqlParameters.None);

    private static Func<DbDataReader, WebhookSubscription> SubscriptionReader(DbDataReader r)
    {
        int id = r.GetOrdinal("id"), account = r.GetOrdinal("account_id"), url = r.GetOrdinal("url"), failed = r.GetOrdinal("on_failed"),
            recovered = r.GetOrdinal("on_recovered"), created = r.GetOrdinal("created_at");
        return r => new(r.GetInt64(id), r.GetInt64(account), r.GetString(url), r.GetBoolean(failed), r.GetBoolean(recovered), r.GetInt64(created));
    }

    private static Func<DbDataReader, WebhookDelivery> DeliveryReader(DbDataReader r)
    {
        int id = r.GetOrdinal("id"), subscription = r.GetOrdinal("subscription_id"), kind = r.GetOrdinal("event"), reference = r.GetOrdinal("reference_id"),
            previous = r.GetOrdinal("previous_status"), occurred = r.GetOrdinal("occurred_at"), state = r.GetOrdinal("state"),
            attempts = r.GetOrdinal("attempts"), last = r.GetOrdinal("last_attempt_ms"), status = r.GetOrdinal("response_status"),
            error = r.GetOrdinal("last_error");
        return r => new(r.GetInt64(id), r.GetInt64(subscription), r.GetString(kind), r.GetInt64(reference), r.NullableString(previous),
            r.GetInt64(occurred), r.GetString(state), r.GetInt32(attempts), r.NullableInt64(last),
            r.IsDBNull(status) ? null : r.GetInt32(status), r.NullableString(error));
    }
}
