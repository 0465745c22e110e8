using Xref.Storage;
using Xref.Wire;

namespace Xref.Hosting;

/// <summary><c>/health</c> (the process is up) and <c>/ready</c> (the database answers); both anonymous.</summary>
public static class HealthApi
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => Results.Text("{\"status\":\"ok\"}", Envelope.JsonContentType)).ExcludeFromDescription();
        // /ready costs a database connection, so it is limited per client address like the API; /health is free and never limited.
        app.MapGet("/ready", Ready).ExcludeFromDescription().RequireRateLimiting(RateLimits.PolicyName);
    }

    public static async Task<IResult> Ready(Database database, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            // WaitAsync bounds the answer even if the driver cannot abandon a call to a hung server in time.
            await database.PingAsync(timeout.Token).WaitAsync(TimeSpan.FromSeconds(2), ct);
            return Results.Text("{\"status\":\"ready\"}", Envelope.JsonContentType);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw ApiException.Unavailable("The database is not answering.");
        }
    }
}
