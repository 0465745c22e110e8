namespace Xref.Sandbox;

/// <summary>
/// Xref's clock (the <see cref="TimeProvider"/> of every stored timestamp, date filter and transition): the real
/// time, or frozen at a moment the control API sets and moves. The HTTP Date header, the journal's times, the token
/// cache and the rate limiter keep real time. Lock-free: every write request reads it.
/// </summary>
public sealed class ControlClock : TimeProvider
{
    private const long Real = long.MinValue;
    private long frozenUtcTicks = Real;

    public override DateTimeOffset GetUtcNow()
    {
        var frozen = Volatile.Read(ref frozenUtcTicks);
        return frozen == Real ? System.GetUtcNow() : new DateTimeOffset(frozen, TimeSpan.Zero);
    }

    public bool Frozen => Volatile.Read(ref frozenUtcTicks) != Real;

    /// <summary>Freezes the clock at <paramref name="moment"/>.</summary>
    public void Freeze(DateTimeOffset moment) => Volatile.Write(ref frozenUtcTicks, moment.UtcTicks);

    /// <summary>Moves the clock forward (or back); a running clock freezes at now plus <paramref name="by"/>.</summary>
    public void Advance(TimeSpan by)
    {
        while (true)
        {
            var current = Volatile.Read(ref frozenUtcTicks);
            var from = current == Real ? System.GetUtcNow().UtcTicks : current;
            if (Interlocked.CompareExchange(ref frozenUtcTicks, from + by.Ticks, current) == current) return;
        }
    }

    /// <summary>Back to the real time.</summary>
    public void Release() => Volatile.Write(ref frozenUtcTicks, Real);
}
