namespace Xref.Tests.Infrastructure;

/// <summary>A clock the test moves by hand, so timestamps in responses are exact.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public static readonly DateTimeOffset Start = new(2026, 11, 22, 14, 15, 20, TimeSpan.Zero);

    public DateTimeOffset Now { get; set; } = start;

    public ManualClock() : this(Start) { }

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}
