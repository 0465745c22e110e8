using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Xref.Client;

namespace Xref.Testing;

/// <summary>A fault rule: API requests it matches wait <see cref="LatencyMs"/>, then answer <see cref="Status"/> (when set), writing nothing.</summary>
/// <param name="Id">The rule's id.</param>
/// <param name="Method">An HTTP method, or <c>*</c>.</param>
/// <param name="Path">A path such as <c>/api/v1/external_references</c>; a trailing <c>*</c> makes it a prefix.</param>
/// <param name="AccountId">Only this account's requests (null: all).</param>
/// <param name="Status">The status answered (429 and 503 with <c>Retry-After: 1</c>); null only delays.</param>
/// <param name="LatencyMs">The delay before answering.</param>
/// <param name="Times">How many requests it answers before it disappears (null: all).</param>
/// <param name="Probability">The chance that a matching request is answered by it.</param>
public sealed record FaultRule(long Id, string Method, string Path, long? AccountId, int? Status, int LatencyMs, int? Times, double Probability);

/// <summary>A status transition: a reference of <see cref="ServiceName"/> that enters <see cref="From"/> moves to <see cref="To"/> after <see cref="AfterSeconds"/> of Xref's clock.</summary>
/// <param name="Id">The rule's id.</param>
/// <param name="ServiceName">The references' service.</param>
/// <param name="SubjectType">Only this subject type (null: all).</param>
/// <param name="From">The status that starts the wait.</param>
/// <param name="To">The status it moves to.</param>
/// <param name="AfterSeconds">The wait.</param>
/// <param name="ExternalStatus">Set on the move, when given.</param>
/// <param name="ExternalMessage">Set on the move, when given.</param>
public sealed record TransitionRule(long Id, string ServiceName, string? SubjectType, SyncStatus From, SyncStatus To, long AfterSeconds,
    string? ExternalStatus, string? ExternalMessage);

/// <summary>One API request of the journal (never a token).</summary>
/// <param name="Time">When it arrived.</param>
/// <param name="Method">Its method.</param>
/// <param name="Path">Its path.</param>
/// <param name="Query">Its query string.</param>
/// <param name="Status">The status answered.</param>
/// <param name="DurationMs">How long it took.</param>
/// <param name="AccountId">The caller's account, once authenticated.</param>
/// <param name="RequestId">Its <c>X-Request-Id</c>.</param>
/// <param name="RequestBody">Its body's start, with the <c>journal-bodies</c> setting.</param>
/// <param name="ResponseBody">The answer's start, with the <c>journal-bodies</c> setting.</param>
public sealed record JournalEntry(DateTimeOffset Time, string Method, string Path, string Query, int Status, double DurationMs,
    long? AccountId, string? RequestId, string? RequestBody = null, string? ResponseBody = null);

/// <summary>The sandbox clock's state.</summary>
/// <param name="Now">Xref's time.</param>
/// <param name="Frozen">True when frozen (it moves only when advanced).</param>
public sealed record ClockState(DateTimeOffset Now, bool Frozen);

/// <summary><c>/_xref/faults</c>.</summary>
public sealed class SandboxFaults
{
    private readonly ControlApi control;

    internal SandboxFaults(ControlApi control) => this.control = control;

    /// <summary>Adds a rule; the oldest matching rule answers.</summary>
    public Task<FaultRule> AddAsync(string path, int? status = null, string method = "*", int? times = null, int latencyMs = 0,
        double probability = 1, long? accountId = null, CancellationToken ct = default) =>
        control.SendAsync(HttpMethod.Post, "faults", new FaultRequest(method, path, accountId, status, latencyMs, times, probability),
            e => e.Deserialize(SandboxJson.Default.FaultRule)!, ct);

    /// <summary>The rules, oldest first.</summary>
    public Task<IReadOnlyList<FaultRule>> ListAsync(CancellationToken ct = default) =>
        control.SendAsync<IReadOnlyList<FaultRule>>(HttpMethod.Get, "faults", null, e => e.GetProperty("faults").Deserialize(SandboxJson.Default.ListFaultRule)!, ct);

    /// <summary>Removes one rule.</summary>
    public async Task RemoveAsync(long id, CancellationToken ct = default) => (await control.SendAsync(HttpMethod.Delete, $"faults/{id}", null, ct))?.Dispose();

    /// <summary>Removes every rule.</summary>
    public async Task ClearAsync(CancellationToken ct = default) => (await control.SendAsync(HttpMethod.Delete, "faults", null, ct))?.Dispose();
}

/// <summary><c>/_xref/clock</c>: the time of every stored timestamp and date filter.</summary>
public sealed class SandboxClock
{
    private readonly ControlApi control;

    internal SandboxClock(ControlApi control) => this.control = control;

    /// <summary>Xref's time now.</summary>
    public Task<ClockState> GetAsync(CancellationToken ct = default) => control.SendAsync(HttpMethod.Get, "clock", null, Read, ct);

    /// <summary>Stops the clock at <paramref name="now"/>.</summary>
    public Task<ClockState> FreezeAsync(DateTimeOffset now, CancellationToken ct = default) =>
        control.SendAsync(HttpMethod.Post, "clock", new ClockRequest(Now: now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)), Read, ct);

    /// <summary>Moves the clock (frozen or not); transitions that fall due are applied.</summary>
    public Task<ClockState> AdvanceAsync(TimeSpan by, CancellationToken ct = default) =>
        control.SendAsync(HttpMethod.Post, "clock", new ClockRequest(AdvanceSeconds: by.TotalSeconds), Read, ct);

    /// <summary>Makes the clock follow the real time again.</summary>
    public Task<ClockState> ReleaseAsync(CancellationToken ct = default) => control.SendAsync(HttpMethod.Post, "clock", new ClockRequest(Real: true), Read, ct);

    private static ClockState Read(JsonElement e) => e.Deserialize(SandboxJson.Default.ClockState)!;
}

/// <summary><c>/_xref/requests</c>: the journal of API requests.</summary>
public sealed class SandboxRequests
{
    private readonly ControlApi control;

    internal SandboxRequests(ControlApi control) => this.control = control;

    /// <summary>The newest <paramref name="limit"/> requests (all when null), newest first, of one account when given.</summary>
    public Task<IReadOnlyList<JournalEntry>> ListAsync(int? limit = null, long? accountId = null, CancellationToken ct = default)
    {
        var query = string.Join('&', new[] { limit is { } l ? $"limit={l}" : null, accountId is { } a ? $"account_id={a}" : null }.OfType<string>());
        return control.SendAsync<IReadOnlyList<JournalEntry>>(HttpMethod.Get, query.Length == 0 ? "requests" : "requests?" + query, null,
            e => e.GetProperty("requests").Deserialize(SandboxJson.Default.ListJournalEntry)!, ct);
    }

    /// <summary>Empties the journal.</summary>
    public async Task ClearAsync(CancellationToken ct = default) => (await control.SendAsync(HttpMethod.Delete, "requests", null, ct))?.Dispose();
}

/// <summary><c>/_xref/transitions</c>: statuses that move by themselves, as a third-party system would move them.</summary>
public sealed class SandboxTransitions
{
    private readonly ControlApi control;

    internal SandboxTransitions(ControlApi control) => this.control = control;

    /// <summary>Adds a rule (no chains: a reference moved by a rule is not moved again by another).</summary>
    public Task<TransitionRule> AddAsync(string serviceName, SyncStatus from, SyncStatus to, long afterSeconds = 0, string? subjectType = null,
        string? externalStatus = null, string? externalMessage = null, CancellationToken ct = default) =>
        control.SendAsync(HttpMethod.Post, "transitions", new TransitionRule(0, serviceName, subjectType, from, to, afterSeconds, externalStatus, externalMessage),
            e => e.Deserialize(SandboxJson.Default.TransitionRule)!, ct);

    /// <summary>The rules.</summary>
    public Task<IReadOnlyList<TransitionRule>> ListAsync(CancellationToken ct = default) =>
        control.SendAsync<IReadOnlyList<TransitionRule>>(HttpMethod.Get, "transitions", null,
            e => e.GetProperty("transitions").Deserialize(SandboxJson.Default.ListTransitionRule)!, ct);

    /// <summary>Removes one rule.</summary>
    public async Task RemoveAsync(long id, CancellationToken ct = default) => (await control.SendAsync(HttpMethod.Delete, $"transitions/{id}", null, ct))?.Dispose();
}

internal sealed record FaultRequest(string Method, string Path, long? AccountId, int? Status, int LatencyMs, int? Times, double Probability);

internal sealed record ClockRequest(string? Now = null, double? AdvanceSeconds = null, bool? Real = null);

/// <summary>The control API's JSON, generated at compile time.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(FaultRule))]
[JsonSerializable(typeof(List<FaultRule>))]
[JsonSerializable(typeof(TransitionRule))]
[JsonSerializable(typeof(List<TransitionRule>))]
[JsonSerializable(typeof(List<JournalEntry>))]
[JsonSerializable(typeof(ClockState))]
[JsonSerializable(typeof(FaultRequest))]
[JsonSerializable(typeof(ClockRequest))]
internal sealed partial class SandboxJson : JsonSerializerContext;
