using System.Diagnostics;

namespace Xref.Tests.Infrastructure;

/// <summary>Runs the real <c>xref</c> binary (built beside the tests) as an operator would, capturing its output.</summary>
public static class XrefProcess
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static async Task<Result> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "xref.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove("XREF_DATABASE");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }
}
