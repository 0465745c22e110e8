using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Xref.Auth;

namespace Xref.Sandbox;

/// <summary>One API request as the journal keeps it: never a token or an <c>Authorization</c> value.</summary>
public sealed record JournalEntry(DateTimeOffset Time, string Method, string Path, string Query, int Status, double DurationMs,
    long? AccountId, string RequestId, string? RequestBody, string? ResponseBody)
{
    public void Write(Utf8JsonWriter json, bool withBodies)
    {
        json.WriteStartObject();
        json.WriteString("time", Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteString("method", Method);
        json.WriteString("path", Path);
        json.WriteString("query", Query);
        json.WriteNumber("status", Status);
        json.WriteNumber("duration_ms", Math.Round(DurationMs, 3));
        if (AccountId is { } account) json.WriteNumber("account_id", account);
        else json.WriteNull("account_id");
        json.WriteString("request_id", RequestId);
        if (withBodies)
        {
            json.WriteString("request_body", RequestBody);
            json.WriteString("response_body", ResponseBody);
        }
        json.WriteEndObject();
    }
}

/// <summary>
/// The last <c>--journal-size</c> requests under <c>/api/v1/</c> of this node (401s and 404s included), in memory,
/// for a test suite to see what the code under test sent. With <c>--journal-bodies</c>, also the first 64 KiB of
/// each request and response body.
/// </summary>
public sealed class RequestJournal(int capacity, bool withBodies)
{
    public const int BodyBytes = 64 * 1024;

    private readonly Lock gate = new();
    private readonly LinkedList<JournalEntry> entries = new();

    public bool WithBodies => withBodies;

    public void Add(JournalEntry entry)
    {
        if (capacity == 0) return;
        lock (gate)
        {
            entries.AddFirst(entry);
            while (entries.Count > capacity) entries.RemoveLast();
        }
    }

    /// <summary>Newest first, at most <paramref name="limit"/>, of one account when <paramref name="accountId"/> is given.</summary>
    public List<JournalEntry> Recent(int limit, long? accountId)
    {
        lock (gate) return [.. entries.Where(e => accountId is null || e.AccountId == accountId).Take(limit)];
    }

    public void Clear()
    {
        lock (gate) entries.Clear();
    }

    /// <summary>Records every request under <c>/api/v1/</c>; put it outside error handling so the final status is seen.</summary>
    public static IApplicationBuilder UseRequestJournal(IApplicationBuilder app, RequestJournal journal) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api/v1"))
        {
            await next(context);
            return;
        }
        var (method, path, query) = (request.Method, request.Path.Value ?? "", request.QueryString.Value?.TrimStart('?') ?? "");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Capture? response = null;
        IHttpResponseBodyFeature? original = null;
        StreamResponseBodyFeature? capturing = null;
        if (journal.WithBodies)
        {
            request.EnableBuffering(bufferThreshold: BodyBytes * 16);
            original = context.Features.Get<IHttpResponseBodyFeature>()!;
            response = new Capture(original.Stream);
            capturing = new StreamResponseBodyFeature(response, original);
            context.Features.Set<IHttpResponseBodyFeature>(capturing);
        }
        try
        {
            await next(context);
        }
        finally
        {
            string? requestBody = null;
            if (capturing is not null)
            {
                await capturing.CompleteAsync();
                context.Features.Set(original);
                requestBody = await ReadStartAsync(request);
            }
            journal.Add(new JournalEntry(DateTimeOffset.UtcNow, method, path, query, context.Response.StatusCode,
                System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, Caller.Of(context)?.AccountId,
                context.TraceIdentifier, requestBody, response?.Text));
        }
    });

    private static async Task<string?> ReadStartAsync(HttpRequest request)
    {
        if (!request.Body.CanSeek) return null;
        try
        {
            request.Body.Position = 0;
            var buffer = new byte[BodyBytes];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await request.Body.ReadAsync(buffer.AsMemory(read))) > 0) read += n;
            return Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Passes the response through, keeping a copy of its first 64 KiB.</summary>
    private sealed class Capture(Stream inner) : Stream
    {
        private readonly MemoryStream copy = new();

        public string Text => Encoding.UTF8.GetString(copy.GetBuffer(), 0, (int)copy.Length);

        private void Keep(ReadOnlySpan<byte> bytes)
        {
            var room = BodyBytes - (int)copy.Length;
            if (room > 0) copy.Write(bytes[..Math.Min(room, bytes.Length)]);
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Keep(buffer.AsSpan(offset, count));
            inner.Write(buffer, offset, count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            Keep(buffer.Span);
            await inner.WriteAsync(buffer, ct);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
