namespace Xref.Storage;

/// <summary>
/// Keeps the database's planner statistics current from the first minute (<see cref="Database.RefreshStatisticsAsync"/>):
/// every <see cref="Period"/> it asks the database to analyse the tables that changed enough since their last analysis.
/// The server runs it; the CLI does not (its bulk loads analyse what they wrote).
/// </summary>
public sealed class StatisticsKeeper(Database database, ILogger<StatisticsKeeper> logger) : BackgroundService
{
    /// <summary>
    /// Often enough that a database filled through the API is analysed seconds after its first writes (autovacuum
    /// looks every minute); the check is one small query, and only one node at a time runs it.
    /// </summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Period);
        var failing = false;
        while (await NextTickAsync(timer, ct))
        {
            try
            {
                foreach (var table in await database.RefreshStatisticsAsync(ct))
                    logger.LogDebug("Analysed {Table}", table);
                failing = false;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // The database down, or not ours to analyse: say so once, keep trying (autovacuum still runs).
                if (!failing) logger.LogWarning("Planner statistics not refreshed: {Reason}", e.Message);
                failing = true;
            }
        }
    }

    /// <summary>
    /// False once stopped. A host whose start failed (a port in use) disposes its services without stopping them,
    /// and the timer's wait then throws: that is a stop too, not an error to report as a crash.
    /// </summary>
    private static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
