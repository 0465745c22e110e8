using System.Text;
using System.Text.Json;
using Xref.Client;

namespace Xref.Testing;

/// <summary>Calls of the sandbox control API (<c>/_xref/</c>) with the admin token; its errors become <see cref="KantataApiException"/>s.</summary>
internal sealed class ControlApi(HttpClient http) : IDisposable
{
    public async Task<JsonDocument?> SendAsync(HttpMethod method, string path, string? json, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode) throw await KantataApiException.FromResponseAsync(response, ct);
        if (response.StatusCode == System.Net.HttpStatusCode.NoContent) return null;
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        return await JsonDocument.ParseAsync(body, cancellationToken: ct);
    }

    public async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, Func<JsonElement, T> read, CancellationToken ct)
    {
        var json = body is null ? null : JsonSerializer.Serialize(body, body.GetType(), SandboxJson.Default);
        using var answer = await SendAsync(method, path, json, ct);
        return read(answer!.RootElement);
    }

    public void Dispose() => http.Dispose();
}
