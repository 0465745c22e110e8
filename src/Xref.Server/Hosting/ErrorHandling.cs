using Xref.Storage;
using Xref.Wire;

namespace Xref.Hosting;

/// <summary>
/// Turns every failure into the contract's error body (wire contract §4): <see cref="ApiException"/> as is,
/// an unreachable database as 503 with <c>Retry-After</c>, anything else as a 500 that reveals nothing.
/// Unknown routes and methods become 404 <c>Record not found</c>.
/// </summary>
public sealed class ErrorHandling(RequestDelegate next, Database database, ILogger<ErrorHandling> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
            if (!context.Response.HasStarted && context.Response.StatusCode is 404 or 405 && context.Response.ContentLength is null or 0)
                await ErrorBody.WriteAsync(context.Response, ApiException.NotFound());
        }
        catch (ApiException e) when (!context.Response.HasStarted)
        {
            await ErrorBody.WriteAsync(context.Response, e);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception e) when (database.IsUnavailable(e) && !context.Response.HasStarted)
        {
            logger.LogWarning("Database unavailable: {Reason}", e.Message);
            await ErrorBody.WriteAsync(context.Response, ApiException.Unavailable(
                "The database is unavailable; retry shortly. If this was a write that failed while committing, it may or may not " +
                "have been applied: create_or_update is idempotent, so retrying it is safe."));
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            logger.LogError(e, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            await ErrorBody.WriteAsync(context.Response, 500, [ApiError.System(ApiException.ServerErrorMessage)]);
        }
    }
}
