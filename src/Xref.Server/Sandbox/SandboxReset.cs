using Xref.Auth;
using Xref.ExternalReferences;
using Xref.Seeding;
using Xref.Storage;

namespace Xref.Sandbox;

/// <summary>
/// <c>POST /_xref/reset</c>: the database returns to its state right after start-up (the start-up seed applied to an
/// empty database, at the start-up's time, ids restarting at 1), or to another seed; and this node forgets every
/// token lookup, page boundary, fault, transition and journal entry, and its clock is real again.
/// </summary>
public sealed class SandboxReset(Database database, SeedApplier seeds, StartupSeed startup, TokenAuthenticator tokens,
    PageCache pages, RequestJournal journal, FaultRules faults, Transitions transitions, ControlClock clock)
{
    /// <param name="replacement">A seed to reset to instead of the start-up seed.</param>
    /// <param name="ct">Cancels the reset (nothing is changed then).</param>
    public async Task ResetAsync(Seed? replacement, CancellationToken ct)
    {
        await database.WriteAsync(async (c, tx) =>
        {
            await database.WipeAsync(c, tx, ct);
            if ((replacement ?? startup.Seed) is { } seed) await seeds.ApplyAsync(c, tx, seed, "reset", ct, at: startup.AppliedAt);
            if (replacement is null && startup.FileHash is { } hash) await database.SetStateAsync(c, tx, SeedApplier.StateKey, hash, ct);
            return 0;
        }, ct);
        tokens.Forget();
        pages.Clear();
        journal.Clear();
        faults.Clear(restart: true);
        transitions.Clear();
        clock.Release();
    }
}
