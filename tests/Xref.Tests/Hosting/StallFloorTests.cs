using Xref.Hosting;

namespace Xref.Tests.Hosting;

/// <summary>The thread-pool floor is raised only while a request stalls, and restored 30 s after the last stall.</summary>
public sealed class StallFloorTests
{
    [Fact]
    public void The_floor_rises_while_a_request_runs_over_a_second_and_falls_back_after_30_s()
    {
        var floors = new List<int>();
        using var guard = new StallFloor(defaultWorkers: 2, floor: 64, floors.Add);

        var quick = guard.Started(0);
        guard.Check(900);
        guard.Finished(quick);
        Assert.Equal((false, 0), (guard.Raised, floors.Count));

        var slow = guard.Started(1_000);
        guard.Check(2_001);
        guard.Check(2_201);
        Assert.True(guard.Raised);
        Assert.Equal([64], floors);

        guard.Finished(slow);
        guard.Check(32_000);
        Assert.True(guard.Raised);
        guard.Check(32_202);
        Assert.False(guard.Raised);
        Assert.Equal([64, 2], floors);
    }
}
