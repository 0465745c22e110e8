using System.Text.Json;
using Xref.ExternalReferences;

namespace Xref.Sandbox;

/// <summary>
/// A status transition of the control API: a reference of <see cref="ServiceName"/> (and <see cref="SubjectType"/>
/// when set) that enters <see cref="From"/> moves to <see cref="To"/> <see cref="AfterSeconds"/> later by Xref's
/// clock, simulating the asynchronous sync of a third-party system. Null external fields are left as they are.
/// </summary>
public sealed record TransitionRule(long Id, string ServiceName, string? SubjectType, string From, string To, long AfterSeconds,
    string? ExternalStatus, string? ExternalMessage)
{
    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteNumber("id", Id);
        json.WriteString("service_name", ServiceName);
        json.WriteString("subject_type", SubjectType);
        json.WriteString("from", From);
        json.WriteString("to", To);
        json.WriteNumber("after_seconds", AfterSeconds);
        json.WriteString("external_status", ExternalStatus);
        json.WriteString("external_message", ExternalMessage);
        json.WriteEndObject();
    }
}

/// <summary>
/// The transition rules of this node and the moves they have scheduled. A reference "enters" a status when a
/// create or an update sets it (re-sending it restarts the timer); references already in it when a rule is created
/// are not moved; deleting a rule cancels its moves. Due moves are applied before every API request, when the
/// clock is set, and four times a second, each stamped with the time it fell due. A move does not itself start
/// another rule's timer (no chains, so no loops).
/// </summary>
public sealed class Transitions(ExternalReferenceStore references, TimeProvider clock)
{
    private sealed record Pending(TransitionRule Rule, long AccountId, long Due);

    private readonly Lock gate = new();
    private readonly List<TransitionRule> rules = [];
    private readonly Dictionary<long, Pending> pending = [];
    private long nextId;

    public TransitionRule Add(TransitionRule rule)
    {
        lock (gate)
        {
            rule = rule with { Id = ++nextId };
            rules.Add(rule);
            return rule;
        }
    }

    public List<TransitionRule> All()
    {
        lock (gate) return [.. rules];
    }

    public bool Remove(long id)
    {
        lock (gate)
        {
            foreach (var reference in pending.Where(p => p.Value.Rule.Id == id).Select(p => p.Key).ToList()) pending.Remove(reference);
            return rules.RemoveAll(r => r.Id == id) > 0;
        }
    }

    /// <summary>Removes every rule and pending move; ids start again (a reset).</summary>
    public void Clear()
    {
        lock (gate)
        {
            rules.Clear();
            pending.Clear();
            nextId = 0;
        }
    }

    /// <summary>After a committed create or update: schedules the move of a reference that entered a rule's <c>from</c>.</summary>
    /// <param name="reference">The reference as stored.</param>
    /// <param name="statusSent">Whether the write set the status (a write without one does not enter a status).</param>
    public void Observe(ExternalReference reference, bool statusSent)
    {
        if (!statusSent) return;
        lock (gate)
        {
            if (rules.Count == 0) return;
            pending.Remove(reference.Id);
            var rule = rules.FirstOrDefault(r => r.ServiceName == reference.ServiceName && r.From == reference.Status
                && (r.SubjectType is null || r.SubjectType == reference.SubjectType));
            if (rule is not null)
                pending[reference.Id] = new Pending(rule, reference.AccountId, clock.GetUtcNow().ToUnixTimeSeconds() + rule.AfterSeconds);
        }
    }

    /// <summary>Applies every move due by Xref's clock, oldest first.</summary>
    public async Task ApplyDueAsync(CancellationToken ct)
    {
        List<(long Reference, Pending Move)> due;
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        lock (gate)
        {
            if (pending.Count == 0) return;
            due = [.. pending.Where(p => p.Value.Due <= now).Select(p => (p.Key, p.Value)).OrderBy(p => p.Value.Due).ThenBy(p => p.Key)];
            foreach (var (reference, _) in due) pending.Remove(reference);
        }
        foreach (var (reference, move) in due)
            await references.MoveStatusAsync(move.AccountId, reference, move.Rule.From, move.Rule.To,
                move.Rule.ExternalStatus, move.Rule.ExternalMessage, move.Due, ct);
    }
}

/// <summary>Applies due transitions before each API request, so lists, counts and filters see them at once.</summary>
public sealed class TransitionsFilter(Transitions transitions) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        await transitions.ApplyDueAsync(context.HttpContext.RequestAborted);
        return await next(context);
    }
}

/// <summary>Applies due transitions four times a second while the control plane is on, with no request needed.</summary>
public sealed class TransitionTicker(Transitions transitions, Microsoft.Extensions.Options.IOptions<Hosting.XrefOptions> options,
    ILogger<TransitionTicker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ControlPlane) return;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try { await transitions.ApplyDueAsync(stoppingToken); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not apply due status transitions; retrying");
            }
        }
    }
}
