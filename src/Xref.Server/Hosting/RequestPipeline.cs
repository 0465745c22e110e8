using System.Text.RegularExpressions;

namespace Xref.Hosting;

/// <summary>
/// Routing as Rails does it (wire contract §1), applied before ASP.NET routing: repeated slashes collapse,
/// a trailing slash and a <c>.json</c> suffix on <c>/api/v1/</c> paths are ignored, PATCH is PUT.
/// Also gives every response an <c>X-Request-Id</c>.
/// </summary>
public static partial class RequestPipeline
{
    public const string RequestIdHeader = "X-Request-Id";

    /// <summary>The method as sent (PATCH before it became PUT), for fault rules.</summary>
    public const string OriginalMethodKey = "xref.original-method";

    public static IApplicationBuilder UseRailsRouting(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        if (path.Contains("//", StringComparison.Ordinal)) path = RepeatedSlashes().Replace(path, "/");
        // The API reference keeps its slash: Scalar serves the page at /docs/ (its assets are relative to it) and redirects /docs there.
        if (path.Length > 1 && path.EndsWith('/') && !path.StartsWith("/docs/", StringComparison.Ordinal)) path = path.TrimEnd('/');
        if (path.StartsWith("/api/v1/", StringComparison.Ordinal) && path.EndsWith(".json", StringComparison.Ordinal))
            path = path[..^".json".Length];
        request.Path = path.Length == 0 ? "/" : path;
        if (HttpMethods.IsPatch(request.Method))
        {
            context.Items[OriginalMethodKey] = request.Method;
            request.Method = HttpMethods.Put;
        }
        return next(context);
    });

    public static IApplicationBuilder UseRequestId(this IApplicationBuilder app)
    {
        // Created once: the factory takes a lock to find a logger, which every request would otherwise queue on.
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(RequestLogging.Category);
        return app.Use(async (context, next) =>
        {
            var sent = context.Request.Headers[RequestIdHeader].ToString();
            var id = sent.Length is > 0 and <= 128 && sent.All(c => c is >= '!' and <= '~') ? sent : Guid.NewGuid().ToString("N");
            context.TraceIdentifier = id;
            context.Response.Headers[RequestIdHeader] = id;
            // A message-template scope: structured sinks (the JSON log) get the value under RequestId.
            using (logger.BeginScope("RequestId:{RequestId}", id))
                await next(context);
        });
    }

    [GeneratedRegex("/{2,}")]
    private static partial Regex RepeatedSlashes();
}
