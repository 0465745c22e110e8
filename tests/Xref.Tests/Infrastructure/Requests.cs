using System.Net.Http.Json;
using System.Text;

namespace Xref.Tests.Infrastructure;

/// <summary>Builds request bodies the way Kantata OX clients send them.</summary>
public static class Requests
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A Rails form body from raw, already-encoded pairs (<c>a[b]=1&amp;c=2</c>).</summary>
    public static StringContent Form(string encoded) => new(encoded, Encoding.UTF8, "application/x-www-form-urlencoded");

    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string url, string json) => client.PostAsync(url, Json(json));

    public static Task<HttpResponseMessage> PostForm(this HttpClient client, string url, string encoded) => client.PostAsync(url, Form(encoded));
}
