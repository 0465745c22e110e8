namespace Xref.Sandbox;

/// <summary>
/// Xref's clock (the <see cref="TimeProvider"/> of every stored timestamp, date filter and transition): the real
/// time, or frozen at a moment the control API sets and moves. The HTTP Date header, the journal's times, the token
/// cache and the rate limiter keep real time.
/// </summary>
public sealed class ControlClock : TimeProvider
{
    private readonly Lock gate = new();
    private DateTimeOffset? frozenAt;

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate) return frozenAt ?? System.GetUtcNow();
    }

    public bool Frozen
    {
        get { lock (gate) return frozenAt is not null; }
    }

    /// <summary>Freezes the clock at <paramref name="moment"/>.</summary>
    public void Freeze(DateTimeOffset moment)
    {
        lock (gate) frozenAt = moment.ToUniversalTime();
    }

    /// <summary>Moves the clock forward (or back); a running clock freezes at now plus <paramref name="by"/>.</summary>
    public void Advance(TimeSpan by)
    {
        lock (gate) frozenAt = (frozenAt ?? System.GetUtcNow()) + by;
    }

    /// <summary>Back to the real time.</summary>
    public void Release()
    {
        lock (gate) frozenAt = null;
    }
}
