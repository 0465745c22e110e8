using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Xref.Tests.Cli;

/// <summary>The real <c>xref</c> binary running as a server on a free loopback port, its output captured; disposing kills it.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private ServerProcess(Process process, string url)
    {
        this.process = process;
        Url = url;
        Http = new HttpClient { BaseAddress = new Uri(url) };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Url { get; }
    public HttpClient Http { get; }

    /// <summary>Standard output and standard error so far, line by line.</summary>
    public string Output { get { lock (output) return output.ToString(); } }

    /// <summary>Starts <c>xref</c> with <paramref name="args"/> and <c>--urls</c>, and waits until <c>/health</c> answers.</summary>
    public static async Task<ServerProcess> StartAsync(params string[] args)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "xref.dll"));
        foreach (var arg in args.Concat(["--urls", url])) start.ArgumentList.Add(arg);
        start.Environment.Remove("XREF_DATABASE");
        var server = new ServerProcess(Process.Start(start)!, url);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                if ((await server.Http.GetAsync("/health")).StatusCode == HttpStatusCode.OK) return server;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !server.process.HasExited)
            {
            }
            if (DateTime.UtcNow > deadline || server.process.HasExited)
            {
                await server.DisposeAsync();
                Assert.Fail($"xref did not answer /health:\n{server.Output}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Waits (up to 10 s) until the output holds a line for which <paramref name="found"/> is true; the console log is written asynchronously.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> found)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (Output.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(found) is { } line) return line;
            if (DateTime.UtcNow > deadline) Assert.Fail($"no such line in the output:\n{Output}");
            await Task.Delay(50);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }
}
