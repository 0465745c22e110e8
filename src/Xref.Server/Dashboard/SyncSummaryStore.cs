using Xref.Storage;

namespace Xref.Dashboard;

/// <summary>
/// The dashboard's summary, read from the count tables only: <c>reference_stats</c> (counts by status, kept by the
/// triggers of migrations 004-007) and <c>reference_sync_hours</c> (syncs and failed syncs per hour, migration 010,
/// owned here). Both reads are a few rows per (subject type, service name), whatever the number of references.
/// </summary>
public sealed partial class SyncSummaryStore(Database database, TimeProvider clock)
{
    /// <summary>The failure rate covers this hour and the 23 before it.</summary>
    public const int WindowHours = 24;

    /// <summary>One (subject type, service name) pair: its counts by status and its syncs in the window.</summary>
    public sealed record Row(string SubjectType, string ServiceName)
    {
        public long Pending { get; set; }
        public long Successful { get; set; }
        public long Failed { get; set; }
        public long Syncs { get; set; }
        public long FailedSyncs { get; set; }
    }

    public async Task<(long Hour, List<Row> Rows)> ReadAsync(long accountId, CancellationToken ct)
    {
        var hour = clock.GetUtcNow().ToUnixTimeSeconds() / 3600;
        var rows = new SortedDictionary<(string, string), Row>(Comparer<(string, string)>.Create((a, b) =>
            (string.CompareOrdinal(a.Item1, b.Item1) is var c && c != 0) ? c : string.CompareOrdinal(a.Item2, b.Item2)));
        Row RowOf(string type, string service) => rows.TryGetValue((type, service), out var row) ? row : rows[(type, service)] = new(type, service);
        var counts = new List<(string Type, string Service, string Status, long N)>();
        var syncs = new List<(string Type, string Service, long Syncs, long Failures)>();
        await database.ReadAsync(c => database.RunAsync(c, null, [
            Statement.Rows("""
                SELECT subject_type, service_name, status, SUM(n) AS n FROM reference_stats
                WHERE account_id = @account GROUP BY subject_type, service_name, status
                """, new SqlParameters().Add("account", accountId),
                r => r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3)), counts),
            Statement.Rows("""
                SELECT subject_type, service_name, SUM(syncs) AS syncs, SUM(failures) AS failures FROM reference_sync_hours
                WHERE account_id = @account AND hour > @from GROUP BY subject_type, service_name
                """, new SqlParameters().Add("account", accountId).Add("from", hour - WindowHours),
                r => r => (r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3)), syncs),
        ], ct), ct);
        foreach (var (type, service, status, n) in counts.Where(c => c.N != 0))
        {
            var row = RowOf(type, service);
            if (status == "pending") row.Pending = n;
            else if (status == "successful") row.Successful = n;
            else if (status == "failed") row.Failed = n;
        }
        foreach (var (type, service, n, failures) in syncs)
        {
            var row = RowOf(type, service);
            (row.Syncs, row.FailedSyncs) = (n, failures);
        }
        return (hour, [.. rows.Values]);
    }
}
