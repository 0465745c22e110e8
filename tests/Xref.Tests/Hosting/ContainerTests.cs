using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Xref.Tests.Hosting;

/// <summary>
/// No container engine runs here, so the Dockerfile is checked by what can run: its publish command, and the
/// published server started as the image starts it (the sandbox on an in-memory database), with the health check
/// command of its HEALTHCHECK.
/// </summary>
public sealed class ContainerTests
{
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Xref.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Xref.slnx not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public async Task The_dockerfiles_publish_command_builds_a_server_that_starts_and_passes_its_health_check()
    {
        var root = RepositoryRoot();
        var dockerfile = await File.ReadAllLinesAsync(Path.Combine(root, "Dockerfile"));
        foreach (var line in new[] { "FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", "FROM mcr.microsoft.com/dotnet/aspnet:10.0", "USER app", "VOLUME /data", "EXPOSE 5080" })
            Assert.Contains(line, dockerfile);
        Assert.Contains(dockerfile, l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        var publish = dockerfile.Single(l => l.StartsWith("RUN dotnet publish ", StringComparison.Ordinal))["RUN ".Length..].Split(' ');
        var output = Directory.CreateTempSubdirectory("xref-publish-").FullName;
        try
        {
            var arguments = publish.Skip(1).Select(a => a == "/app" ? output : a).ToArray();
            var (code, log) = await RunAsync(root, "dotnet", arguments, TimeSpan.FromMinutes(5));
            Assert.True(code == 0, $"dotnet {string.Join(' ', arguments)} failed:\n{log}");
            Assert.True(File.Exists(Path.Combine(output, "xref.dll")));

            var port = FreePort();
            var url = $"http://127.0.0.1:{port}";
            using var server = Process.Start(new ProcessStartInfo("dotnet", ["xref.dll", "--sandbox", "--database", "memory", "--urls", url])
            {
                WorkingDirectory = output, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            })!;
            try
            {
                using var http = new HttpClient();
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (true)
                {
                    try
                    {
                        if ((await http.GetAsync(url + "/health")).StatusCode == HttpStatusCode.OK) break;
                    }
                    catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                    {
                    }
                    Assert.True(DateTime.UtcNow < deadline, "the published server did not answer /health within 30 s");
                    await Task.Delay(200);
                }
                var (healthy, _) = await RunAsync(output, "dotnet", ["xref.dll", "healthcheck", "--url", url + "/health"], TimeSpan.FromSeconds(30));
                Assert.Equal(0, healthy);
                Assert.DoesNotContain(Directory.GetFileSystemEntries(output), p => Path.GetFileName(p) is "data" or "memory");
            }
            finally
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
            var (unhealthy, _) = await RunAsync(output, "dotnet", ["xref.dll", "healthcheck", "--url", url + "/health"], TimeSpan.FromSeconds(30));
            Assert.Equal(1, unhealthy);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int Code, string Log)> RunAsync(string directory, string file, string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment.Remove("XREF_DATABASE");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await output + await error);
    }
}
