using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Xref.Tests.Webhooks;

/// <summary>A webhook receiver on loopback (Kestrel): records every POST it gets, and answers <see cref="Answer"/>.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    /// <summary>One POST as received: its headers of interest and its body's bytes.</summary>
    public sealed record Delivery(string Event, string DeliveryId, string Timestamp, string Signature, byte[] Body);

    private readonly WebApplication app;

    private WebhookReceiver(WebApplication app) => this.app = app;

    public ConcurrentQueue<Delivery> Received { get; } = new();

    /// <summary>The status it answers with: 204 (accepted), or 503 during a simulated outage (nothing is recorded then).</summary>
    public int Answer { get; set; } = 204;

    /// <summary>Requests refused during the outage.</summary>
    public int Refused => refused;

    private int refused;

    public string Url => $"{app.Urls.First()}/hook";

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            if (receiver.Answer != 204)
            {
                Interlocked.Increment(ref receiver.refused);
                return Results.StatusCode(receiver.Answer);
            }
            receiver.Received.Enqueue(new(request.Headers["X-Xref-Event"].ToString(), request.Headers["X-Xref-Delivery"].ToString(),
                request.Headers["X-Xref-Timestamp"].ToString(), request.Headers["X-Xref-Signature"].ToString(), body.ToArray()));
            return Results.NoContent();
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Waits until <paramref name="count"/> deliveries arrived (fails after <paramref name="seconds"/>), then a little longer for extras.</summary>
    public async Task WaitForAsync(int count, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (Received.Count < count && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(Received.Count >= count, $"{Received.Count} of {count} deliveries arrived within {seconds} s");
        await Task.Delay(1000);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
