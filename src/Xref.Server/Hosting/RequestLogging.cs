using System.Diagnostics;
using Xref.Auth;
using ZLogger;

namespace Xref.Hosting;

/// <summary>
/// One log entry per request, at Information in the <c>Xref.Requests</c> category: method, path as sent, status,
/// duration, request id and, once authenticated, the caller's account. Never a header or the query string: tokens
/// travel in the Authorization header, and OAuth codes and client secrets in the query (Kantata's guide puts them
/// there), so nothing that grants access reaches the log.
/// Not free: on 2 cores with wrk on the same machine, the narrow listing (an empty page, so an upper bound) served 11,300
/// and 12,300 req/s with the log on against 19,100 and 19,200 with <c>--log-level Warning</c> (two runs each); a later,
/// busier run gave text 4,900, json 5,300, off 13,300. Benchmarks, and nodes near their limit, turn it off.
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
