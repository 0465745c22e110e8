using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Xref.Tests.Dashboard;

/// <summary>
/// The real <c>xref</c> binary (built beside the tests) serving HTTP on a free loopback port, as an operator runs it:
/// what a browser or a webhook receiver sees. It can be killed and started again on the same database and port.
/// </summary>
public sealed class LiveXref : IAsyncDisposable
{
    private readonly string[] arguments;
    private readonly StringBuilder output = new();
    private Process? process;

    private LiveXref(string[] arguments, string baseUrl)
    {
        this.arguments = arguments;
        BaseUrl = baseUrl;
    }

    /// <summary>Where it listens: <c>http://127.0.0.1:PORT</c>.</summary>
    public string BaseUrl { get; }

    /// <summary>Starts xref on <paramref name="databaseUrl"/> with the seed at <paramref name="seedPath"/> and more <c>--name value</c> settings.</summary>
    public static async Task<LiveXref> StartAsync(string databaseUrl, string seedPath, params string[] settings)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var xref = new LiveXref(["--urls", url, "--database", databaseUrl, "--seed", seedPath, "--rate-limit", "off", .. settings], url);
        await xref.StartAgainAsync();
        return xref;
    }

    /// <summary>Starts the process (again) and waits until <c>/ready</c> answers 200.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "xref.dll"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment.Remove("XREF_DATABASE");
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) break;
            try
            {
                using var ready = await http.GetAsync($"{BaseUrl}/ready");
                if (ready.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"xref did not become ready at {BaseUrl}:\n{Output}");
    }

    /// <summary>Ends the process at once (SIGKILL), as a crash or a pulled plug would.</summary>
    public async Task KillAsync()
    {
        if (process is null || process.HasExited) return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process?.Dispose();
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(System.Net.IPAddress.Loopback, 0);
        socket.Start();
        return ((System.Net.IPEndPoint)socket.LocalEndpoint).Port;
    }
}
