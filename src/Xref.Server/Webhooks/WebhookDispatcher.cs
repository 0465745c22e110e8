using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Xref.ExternalReferences;
using Xref.Hosting;
using Xref.Wire;

namespace Xref.Webhooks;

/// <summary>
/// Delivers the outbox: every half second (or sooner while there is work) it claims due deliveries, POSTs each to
/// its subscription's URL, and records the outcome. A 2xx is delivered; anything else (another status, a refused
/// connection, a 10 s timeout) is retried after <see cref="Backoff"/> until <see cref="MaxAttempts"/>, then the
/// delivery is marked failed and stays in the log. At least once: a node that dies between the POST and the record
/// leaves the claim to run out, and the event is sent again (receivers deduplicate on <c>X-Xref-Delivery</c>).
/// Scheduling uses the wall clock, not Xref's (the sandbox may freeze that one; networks do not wait for it).
/// </summary>
public sealed class WebhookDispatcher(WebhookStore store, IOptions<XrefOptions> options, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const int MaxAttempts = 15;
    private const int BatchSize = 32;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromHours(1);

    // Redirects are not followed: the operator registered this URL, not wherever it points to (SSRF).
    private readonly HttpClient http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    })
    { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Delay before attempt <paramref name="attempts"/> + 1: the base (2 s by default) doubled per attempt made, at most an hour.</summary>
    public TimeSpan Backoff(int attempts) =>
        TimeSpan.FromMilliseconds(Math.Min(options.Value.WebhookRetryMs * Math.Pow(2, Math.Min(attempts - 1, 30)), MaxDelay.TotalMilliseconds));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = TimeSpan.FromMilliseconds(Math.Min(500, options.Value.WebhookRetryMs));
        while (!stoppingToken.IsCancellationRequested)
        {
            var sent = 0;
            try
            {
                sent = await DeliverDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Webhook deliveries could not be claimed or recorded; retrying");
            }
            // A full batch means more may be due: go on at once.
            if (sent == BatchSize) continue;
            try { await Task.Delay(idle, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One round: claims, sends in parallel, records; returns how many were attempted.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (!await store.AnyDueAsync(now, ct)) return 0;
        var claimed = await store.ClaimDueAsync(now, Lease, BatchSize, ct);
        if (claimed.Count == 0) return 0;
        var outcomes = await Task.WhenAll(claimed.Select(d => SendAsync(d, ct)));
        await store.RecordAsync(outcomes, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), CancellationToken.None);
        return claimed.Count;
    }

    private async Task<WebhookStore.Outcome> SendAsync(WebhookStore.Claimed delivery, CancellationToken ct)
    {
        var body = Payload(delivery);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.UserAgent.ParseAdd("Xref-Webhooks/1");
        request.Headers.Add("X-Xref-Event", delivery.Event);
        request.Headers.Add("X-Xref-Delivery", WireValues.Id(delivery.Id));
        request.Headers.Add("X-Xref-Timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("X-Xref-Signature", WebhookSubscription.Signature(delivery.Secret, timestamp, body));
        int? status = null;
        string? error;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode) return new(delivery.Id, true, null, status, null);
            error = $"answered {status}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            error = e is TaskCanceledException ? "no answer within 10 s" : e.Message;
        }
        var attempts = delivery.Attempts + 1;
        long? next = attempts >= MaxAttempts ? null : DateTimeOffset.UtcNow.Add(Backoff(attempts)).ToUnixTimeMilliseconds();
        if (next is null) logger.LogWarning("Webhook delivery {Id} to subscription {Subscription} gave up after {Attempts} attempts: {Error}",
            delivery.Id, delivery.SubscriptionId, attempts, error);
        return new(delivery.Id, false, next, status, error?.Length > 500 ? error[..500] : error);
    }

    /// <summary>
    /// The event as sent: <c>{"id", "event", "occurred_at", "previous_status", "external_reference"}</c>, the reference
    /// rendered as the API renders it, as the change left it.
    /// </summary>
    public static byte[] Payload(WebhookStore.Claimed delivery)
    {
        var reference = Snapshot(delivery.Reference);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", WireValues.Id(delivery.Id));
            json.WriteString("event", delivery.Event);
            json.WriteTimestamp("occurred_at", delivery.OccurredAt);
            json.WriteStringOrNull("previous_status", delivery.PreviousStatus);
            json.WritePropertyName("external_reference");
            reference.Write(json);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Reads the row the trigger wrote as JSON (SQLite writes <c>locked</c> as 0/1, PostgreSQL as a boolean).</summary>
    private static ExternalReference Snapshot(string text)
    {
        using var document = JsonDocument.Parse(text);
        var r = document.RootElement;
        string? Text(string name) => r.GetProperty(name).ValueKind == JsonValueKind.Null ? null : r.GetProperty(name).GetString();
        long Number(string name) => r.GetProperty(name).GetInt64();
        var locked = r.GetProperty("locked");
        return new ExternalReference(Number("id"), Number("account_id"), Text("subject_type")!, Number("subject_id"), Text("service_name")!,
            Text("service_model")!, Text("service_model_ref")!, Text("status")!, Text("external_link"), Text("external_status"),
            Text("external_message"), locked.ValueKind == JsonValueKind.True || locked.ValueKind == JsonValueKind.Number && locked.GetInt64() != 0,
            Number("created_at"), Number("updated_at"), Number("last_synced_at"));
    }

    public override void Dispose()
    {
        http.Dispose();
        base.Dispose();
    }
}
