using System.Diagnostics;
using Xref.Auth;
using ZLogger;

namespace Xref.Hosting;

/// <summary>
/// One log entry per request, at Information in the <c>Xref.Requests</c> category: method, path as sent, status,
/// duration, request id and, once authenticated, the caller's account. Never a header or the query string: tokens
/// travel in the Authorization header, and OAuth codes and client secrets in the query (Kantata's guide puts them
/// there), so nothing that grants access reaches the log.
/// Written by ZLogger (set up in <see cref="XrefServer"/>) from its source-generated methods below: formatted straight
/// to UTF-8 and written in batches, where Microsoft's console logger wrote and flushed each entry on its own. Measured
/// with <c>flock /tmp/xref-build.lock bench/log-cost.sh --bin zlogger=NEW --bin console=OLD --other-formats text
/// --rounds 3 --duration 4 --warmup 4</c> (2 cores shared with wrk and other work; wrk -t2 -c32 on the narrow
/// listing, an empty page, so an upper bound), req/s per round and server CPU per request, stdout to a file:
/// text 13,294 19,427 20,368 (72.0 µs), json 18,429 20,314 20,350 (67.5 µs), off 18,753 21,435 21,969 (64.0 µs),
/// the console logger's text 14,514 18,422 16,799 (82.8 µs); through a pipe: text 15,584 20,816 19,733 (71.0 µs),
/// json 15,607 20,064 22,368 (67.4 µs), off 18,250 21,618 23,188 (62.6 µs), console text 14,795 18,095 18,652
/// (78.1 µs). So the log now costs 4–8 µs of CPU a request (6–10% here) against 15–19 µs (17–22%) before, and
/// no line is lost (each server wrote at least as many lines as wrk counted requests).
/// </summary>
public static partial class RequestLogging
{
    public const string Category = "Xref.Requests";

    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        // Below Information (--log-level Warning) the middleware is left out, so it costs nothing at all.
        if (!logger.IsEnabled(LogLevel.Information)) return app;
        return app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            // As sent: Rails routing rewrites the path (a .json suffix, repeated slashes) and PATCH further in.
            var (method, path) = (context.Request.Method, context.Request.PathBase.Add(context.Request.Path).Value ?? "/");
            try
            {
                await next(context);
            }
            finally
            {
                var ms = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 2);
                if (Caller.Of(context) is { } caller)
                    ServedAccount(logger, method, path, context.Response.StatusCode, ms, context.TraceIdentifier, caller.AccountId);
                else
                    Served(logger, method, path, context.Response.StatusCode, ms, context.TraceIdentifier);
            }
        });
    }

    [ZLoggerMessage(1, LogLevel.Information, "{Method} {Path} {StatusCode} {DurationMs} ms request {RequestId} account {AccountId}")]
    private static partial void ServedAccount(ILogger logger, string method, string path, int statusCode, double durationMs, string requestId, long accountId);

    [ZLoggerMessage(2, LogLevel.Information, "{Method} {Path} {StatusCode} {DurationMs} ms request {RequestId}")]
    private static partial void Served(ILogger logger, string method, string path, int statusCode, double durationMs, string requestId);
}
