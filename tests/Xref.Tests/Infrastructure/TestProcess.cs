using System.Runtime.CompilerServices;

namespace Xref.Tests.Infrastructure;

internal static class TestProcess
{
    /// <summary>
    /// xunit runs test classes in parallel in one process, each with its own Xref server (and PostgreSQL pool), and
    /// WebApplicationFactory starts them by blocking on async work. With .NET's default floor of one thread per
    /// core, such a process on 2 cores starved its thread pool until a PostgreSQL connect passed its 1 s timeout.
    /// A production server is one per process and keeps the default (see StallFloor).
    /// </summary>
    [ModuleInitializer]
    internal static void RaiseThreadPoolFloor() => ThreadPool.SetMinThreads(64, 64);
}
