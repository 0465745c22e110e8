using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;

namespace Xref.Tests.Infrastructure;

/// <summary>Exact JSON and status assertions, with both documents printed on failure.</summary>
public static class JsonAssert
{
    public static void Equal(string expected, string actual)
    {
        var e = JsonNode.Parse(expected);
        var a = JsonNode.Parse(actual);
        if (!JsonNode.DeepEquals(e, a))
            Assert.Fail($"JSON differs.\nExpected: {e?.ToJsonString()}\nActual:   {a?.ToJsonString()}");
    }

    /// <summary>Asserts the status code and the exact JSON body; returns the body.</summary>
    public static async Task<string> ResponseAsync(HttpResponseMessage response, HttpStatusCode status, string expectedJson)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Equal(expectedJson, body);
        return body;
    }

    public static async Task<JsonNode> StatusAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    /// <summary>Asserts an error response: its status and the exact <c>errors</c> array.</summary>
    public static Task<string> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, params (string Type, string? Field, string Message)[] errors)
    {
        var array = new JsonArray();
        foreach (var (type, field, message) in errors)
        {
            var error = new JsonObject { ["type"] = type, ["message"] = message };
            if (field is not null) error["field"] = field;
            array.Add(error);
        }
        return ResponseAsync(response, status, new JsonObject { ["errors"] = array }.ToJsonString());
    }
}

/// <summary>Small helpers to read the database directly.</summary>
public static class Sql
{
    public static Task<long> CountAsync(XrefApp app, string sql, object? parameters = null) =>
        app.Database.ReadAsync(c => c.ExecuteScalarAsync<long>(sql, parameters));
}
