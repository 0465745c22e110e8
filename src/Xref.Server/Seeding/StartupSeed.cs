namespace Xref.Seeding;

/// <summary>
/// What start-up applied to the database: the seed file (with its hash), the demo account, or nothing; and when.
/// A sandbox reset applies the same again, at the same time, so the database returns exactly to that state.
/// </summary>
public sealed class StartupSeed
{
    public Seed? Seed { get; set; }
    public string? FileHash { get; set; }
    public long AppliedAt { get; set; }

    /// <summary>The demo account's write token, when the demo account is the start-up seed.</summary>
    public string? DemoToken { get; set; }
}
