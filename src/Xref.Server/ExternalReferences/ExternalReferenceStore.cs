using System.Data.Common;
using Xref.Auth;
using Xref.Observability;
using Xref.Storage;
using Xref.Subjects;
using Xref.Wire;

namespace Xref.ExternalReferences;

/// <summary>
/// All SQL on <c>external_references</c> and its count tables (<c>reference_totals</c>, <c>reference_stats</c>,
/// kept by triggers). Every statement filters on the caller's account. Its bulk paths (<c>xref import</c> and
/// <c>xref export</c>) are in ExternalReferenceStore.Bulk.cs.
/// </summary>
public sealed partial class ExternalReferenceStore(Database database, SubjectStore subjects, TimeProvider clock, PageCache pages)
{
    private const string Table = "external_references";

    /// <summary>Upserts within the caller's transaction; null when the subject is not in the account.</summary>
    public async Task<ExternalReference?> UpsertAsync(DbConnection c, DbTransaction tx, long accountId, ExternalReferenceInput input, CancellationToken ct)
    {
        UpsertResult? result = null;
        await database.RunAsync(c, tx, UpsertCommand.For(accountId, input, UpsertTimes.Now(WireValues.Now(clock)), id: null, r => result = r), ct);
        return result?.Row;
    }

    /// <summary>create_or_update: the upsert in its own transaction, creating the subject first when allowed.</summary>
    public async Task<ExternalReference> CreateOrUpdateAsync(Caller caller, ExternalReferenceInput input, bool autoSubjects, CancellationToken ct)
    {
        var now = WireValues.Now(clock);
        UpsertResult? result = null;
        var upsert = UpsertCommand.For(caller.AccountId, input, UpsertTimes.Now(now), id: null, r => result = r);
        await database.WriteAsync(autoSubjects && input.SubjectType.Table == SubjectTable.Subjects
            ? [SubjectStore.CreateIfMissing(caller.AccountId, input.SubjectType, input.SubjectId, now), upsert]
            : [upsert], ct);
        // Nothing was written when the subject is not in the account.
        return result?.Row ?? throw ApiException.Invalid("subject_id", $"{input.SubjectType.Name} {input.SubjectId} does not exist in your account.");
    }

    public async Task<bool> DeleteAsync(long accountId, long id, CancellationToken ct)
    {
        var deleted = false;
        await database.WriteAsync([Statement.FirstRow("DELETE FROM external_references WHERE id = @id AND account_id = @account RETURNING id",
            new SqlParameters().Add("id", id).Add("account", accountId), _ => deleted = true)], ct);
        return deleted;
    }

    /// <summary>
    /// A simulated sync (the control API's transitions): moves a reference still in <paramref name="from"/> to
    /// <paramref name="to"/>, stamped <paramref name="at"/> as an integration's write would be; null external fields are left as they are.
    /// </summary>
    public Task MoveStatusAsync(long accountId, long id, string from, string to, string? externalStatus, string? externalMessage, long at, CancellationToken ct) =>
        database.WriteAsync([Statement.Execute("""
            UPDATE external_references SET status = @to,
                external_status = COALESCE(@external_status, external_status),
                external_message = COALESCE(@external_message, external_message),
                updated_at = @at, last_synced_at = @at, revision = revision + 1
            WHERE id = @id AND account_id = @account AND status = @from
            """, new SqlParameters().Add("to", to).Add("external_status", externalStatus).Add("external_message", externalMessage)
                .Add("at", at).Add("id", id).Add("account", accountId).Add("from", from))], ct);

    /// <summary>Deletes every reference of one subject, inside the caller's transaction (a status report's, when it is deleted).</summary>
    public Task DeleteOfSubjectAsync(DbConnection c, DbTransaction tx, long accountId, SubjectType type, long subjectId, CancellationToken ct) =>
        database.RunAsync(c, tx, Statement.Execute(
            "DELETE FROM external_references WHERE account_id = @account AND subject_type = @type AND subject_id = @subject",
            new SqlParameters().Add("account", accountId).Add("type", type.Name).Add("subject", subjectId)), ct);

    /// <summary>The first <paramref name="limit"/> references of these subjects of one type, in id order (a status report's <c>include=external_references</c>).</summary>
    public Task<List<ExternalReference>> OfSubjectsAsync(long accountId, SubjectType type, IReadOnlyCollection<long> subjectIds, int limit, CancellationToken ct) =>
        database.ReadAsync(c =>
        {
            var where = new WhereClause(database, "account_id", accountId).Equal("subject_type", type.Name).InIds("subject_id", subjectIds);
            return database.QueryAsync(c, null, $"SELECT {ExternalReference.Columns} FROM {Table} WHERE {where} ORDER BY id LIMIT {limit}",
                where.Parameters, ExternalReference.Reader, ct);
        }, ct);

    /// <summary>References per status over every account, summed from the count table (the metrics' <c>xref_references</c>).</summary>
    public Task<List<(string Status, long Count)>> CountsByStatusAsync(CancellationToken ct) =>
        database.ReadAsync(c => database.QueryAsync<(string Status, long Count)>(c, null, "SELECT status, CAST(SUM(n) AS BIGINT) AS n FROM reference_totals GROUP BY status ORDER BY status",
            SqlParameters.None, _ => r => (r.GetString(0), r.GetInt64(1)), ct), ct);

    /// <summary>
    /// The page of references the query asks for, and the exact count of all that match, in one round trip:
    /// the count (summed from the count tables when the filters allow, else counted) with the listing's
    /// version, then the page, read by seeking past the previous page's last row when that boundary is
    /// remembered for the same version, else with OFFSET.
    /// <para>
    /// A page asked again while its listing is unchanged (a sync job polling its failed references) costs one
    /// statement instead: when the page is remembered with its rows and count, and the listing's version did not move
    /// between the two reads before (so it is not being written to right now), only the version is read, and if it is
    /// still the same the remembered page is served. Every write to the account's references of the type, on any
    /// node, moves the version in the write's own transaction, so nothing stale is served. When the version moved,
    /// the page is read as usual in a second round trip, and the page is not checked first again until it is seen
    /// unchanged twice: a listing being written to costs no more than before (see <see cref="PageCache"/>).
    /// </para>
    /// </summary>
    public async Task<(long Count, List<ExternalReference> Page)> ListAsync(long accountId, ExternalReferenceQuery query, CancellationToken ct)
    {
        var where = query.Where(database, accountId);
        if (where.MatchesNothing) return (0, []);
        var page = query.Page;
        var paged = query.Only is null;
        var cacheable = paged && !page.IsOffsetMode && pages.Enabled;
        var listing = cacheable ? PageCache.ListingOf(accountId, query.ListingKey(accountId)) : default;
        PageCache.Entry previous = default, known = default;
        var seek = cacheable && page.PageNumber > 1 && pages.TryGet(listing, page.PageNumber - 1, out previous) && previous.End is not null;
        var remembered = cacheable && pages.TryGet(listing, page.PageNumber, out known);

        long count = 0, version = 0;
        var rows = new List<ExternalReference>();
        var reused = false;
        await database.ReadAsync(async connection =>
        {
            if (remembered && known.Reusable)
            {
                long current = -1;
                await database.RunAsync(connection, null, Statement.FirstRow($"SELECT {VersionSql} AS version",
                    VersionParameters(accountId, query), r => current = r.Int64("version")), ct);
                if (reused = current == known.Version) return 0;
            }
            if (cacheable && page.PageNumber > 1 && !seek) XrefMetrics.PageCacheMiss();
            var statements = new List<Statement>
            {
                Statement.FirstRow(StatsSql, StatsParameters(accountId, query), r => (count, version) = (r.Int64("count"), r.Int64("version"))),
            };
            if (!query.CountableFromStats)
                statements.Add(Statement.FirstRow($"SELECT COUNT(*) AS count FROM {Table} WHERE {where}", where.Parameters, r => count = r.Int64("count")));
            // A deep OFFSET costs a scan of the rows it skips: count first, and skip the page when it starts past the end.
            // Shallower pages send count and page in one round trip.
            var countFirst = paged && !seek && page.Offset >= DeferredJoinOffset;
            if (!countFirst) statements.Add(PageStatement(where, query, seek ? previous.End : null, rows));
            await database.RunAsync(connection, null, statements, ct);
            if (countFirst && page.Offset < count) await database.RunAsync(connection, null, PageStatement(where, query, null, rows), ct);
            if (seek && previous.Version != version)
            {
                // A write committed since the boundary was recorded: the remembered row may have moved.
                XrefMetrics.PageCacheStale();
                rows.Clear();
                await database.RunAsync(connection, null, PageStatement(where, query, null, rows), ct);
            }
            else if (seek) pages.CountSeek();
            return 0;
        }, ct);

        if (reused)
        {
            pages.CountReuse();
            return (known.Count, [.. known.Rows!]);  // a copy: include=subject replaces the response's records
        }
        if (cacheable)
        {
            // The count and version come from the first statement, the rows from a later one: a write committed
            // in between makes the rows newer than the version recorded, so the next check finds the version moved
            // and reads again. Rows older than the version cannot happen.
            var last = rows.Count == page.Limit ? rows[^1] : null;
            pages.Set(listing, page.PageNumber, version, count,
                last is null ? null : new(query.Order.Field == "created_at" ? last.CreatedAt : last.LastSyncedAt, last.Id), rows,
                unchanged: remembered && known.Version == version);
        }
        return (count, rows);
    }

    /// <summary>
    /// The count (meaningful when the query allows it) and the listing's version: from <c>reference_totals</c>
    /// (a few rows per subject type), or from <c>reference_stats</c> when a service name narrows the count.
    /// </summary>
    private const string StatsSql = """
        SELECT CASE WHEN @stats_service IS NULL
                    THEN (SELECT COALESCE(SUM(n), 0) FROM reference_totals
                          WHERE account_id = @stats_account AND subject_type = @stats_type AND (@stats_status IS NULL OR status = @stats_status))
                    ELSE (SELECT COALESCE(SUM(n), 0) FROM reference_stats
                          WHERE account_id = @stats_account AND subject_type = @stats_type AND service_name = @stats_service
                            AND (@stats_status IS NULL OR status = @stats_status))
               END AS count,
        """ + VersionSql + " AS version";

    /// <summary>The listing's version: it grows with every committed write to the account's references of the type.</summary>
    private const string VersionSql =
        "(SELECT COALESCE(SUM(writes), 0) FROM reference_totals WHERE account_id = @stats_account AND subject_type = @stats_type)";

    private static SqlParameters StatsParameters(long accountId, ExternalReferenceQuery query) => VersionParameters(accountId, query)
        .Add("stats_service", query.Values["service_name"]).Add("stats_status", query.Values["status"]);

    private static SqlParameters VersionParameters(long accountId, ExternalReferenceQuery query) => new SqlParameters()
        .Add("stats_account", accountId).Add("stats_type", query.SubjectType.Name);

    /// <summary>
    /// From this OFFSET on, skipped rows are counted in the index alone. Below it the plain query is cheaper
    /// (measured on SQLite at 200,000 rows: 0.11 ms against 0.14 ms at offset 0; 2.7 ms against 1.6 ms at 40,000).
    /// </summary>
    private const long DeferredJoinOffset = 1000;

    /// <summary>
    /// The page query. After a remembered boundary it seeks: <c>field &lt;= v AND (field &lt; v OR id &gt; last)</c>
    /// (for descending order) gives the planner an index range to start from, which the plain OR form does not.
    /// With a deep OFFSET, the rows to skip are counted in the index alone (a covering sub-select of ids), and only
    /// the page's own rows are read from the table.
    /// </summary>
    private static Statement PageStatement(WhereClause where, ExternalReferenceQuery query, PageCache.Boundary? after, List<ExternalReference> into)
    {
        var field = query.Order.Field;
        var order = $"ORDER BY {field} {(query.Order.Descending ? "DESC" : "ASC")}, id ASC";
        var (bound, strict) = query.Order.Descending ? ("<=", "<") : (">=", ">");
        // The page size is written into the SQL (a validated 1-200), not bound: PostgreSQL plans an auto-prepared
        // statement generically after a few runs, and a generic plan that cannot see LIMIT 20 expects thousands of
        // rows; for the deep-OFFSET form it chose a hash join over a scan of the whole table (575 ms instead of
        // 10 ms per page at OFFSET 50,000). With the literal the generic plan probes the primary key 20 times.
        var limit = query.Page.Limit;
        string sql;
        if (query.Only is not null)
            sql = $"SELECT {ExternalReference.Columns} FROM {Table} WHERE {where} {order}";
        else if (after is not null)
            sql = $"SELECT {ExternalReference.Columns} FROM {Table} WHERE {where} " +
                $"AND {field} {bound} @seek_value AND ({field} {strict} @seek_value OR id > @seek_id) {order} LIMIT {limit}";
        else if (query.Page.Offset < DeferredJoinOffset)
            sql = $"SELECT {ExternalReference.Columns} FROM {Table} WHERE {where} {order} LIMIT {limit} OFFSET @page_offset";
        else
            sql = $"SELECT {ExternalReference.Columns} FROM {Table} WHERE id IN " +
                $"(SELECT id FROM {Table} WHERE {where} {order} LIMIT {limit} OFFSET @page_offset) {order}";
        var parameters = new SqlParameters();
        where.Parameters.AppendTo(parameters);
        parameters.Add("page_offset", query.Page.Offset).Add("seek_value", after?.SortValue ?? 0).Add("seek_id", after?.Id ?? 0);
        return Statement.Rows(sql, parameters, ExternalReference.Reader, into);
    }
}
