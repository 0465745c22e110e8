using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Dapper;

namespace Xref.Tests.Infrastructure;

/// <summary>
/// An external reference as a test expects to see it on the wire. Tests build these from what they sent and the
/// manual clock, never from the server's answer (only the id is taken from the create response).
/// </summary>
public sealed record Ref
{
    public long Id { get; init; }
    public string SubjectType { get; init; } = "Workspace";
    public long SubjectId { get; init; } = 100;
    public string ServiceName { get; init; } = "jira";
    public string ServiceModel { get; init; } = "issue";
    public string ServiceModelRef { get; init; } = "REF-1";
    public string Status { get; init; } = "pending";
    public string? ExternalLink { get; init; }
    public string? ExternalStatus { get; init; }
    public string? ExternalMessage { get; init; }
    public bool Locked { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset LastSyncedAt { get; init; }

    /// <summary>The collection key for <c>subject_ref</c> when the test asked for <c>include=subject</c>.</summary>
    public string? SubjectKey { get; init; }

    public string WireId => Id.ToString(CultureInfo.InvariantCulture);

    public Ref WithSubject(string key) => this with { SubjectKey = key };

    /// <summary>The create_or_update JSON body that carries every field of this reference.</summary>
    public string RequestJson() => new JsonObject { ["external_reference"] = Attributes() }.ToJsonString();

    /// <summary>The attributes a client sends; the expected record adds timestamps and the id to them.</summary>
    private JsonObject Attributes() => new()
    {
        ["subject_type"] = SubjectType,
        ["subject_id"] = SubjectId,
        ["service_name"] = ServiceName,
        ["service_model"] = ServiceModel,
        ["service_model_ref"] = ServiceModelRef,
        ["status"] = Status,
        ["external_link"] = ExternalLink,
        ["external_status"] = ExternalStatus,
        ["external_message"] = ExternalMessage,
        ["locked"] = Locked,
    };

    public JsonObject ToJson()
    {
        var json = Attributes();
        json["last_synced_at"] = Expected.Time(LastSyncedAt);
        json["created_at"] = Expected.Time(CreatedAt);
        json["updated_at"] = Expected.Time(UpdatedAt);
        if (SubjectKey is not null) json["subject_ref"] = new JsonObject { ["key"] = SubjectKey, ["id"] = SubjectId.ToString(CultureInfo.InvariantCulture) };
        json["id"] = WireId;
        return json;
    }
}

/// <summary>Expected envelopes, built by hand from <see cref="Ref"/>s (wire contract §2).</summary>
public static class Expected
{
    public const string ListUrl = "/api/v1/external_references";
    public const string UpsertUrl = "/api/v1/external_references/create_or_update";

    public const string EmptyList = """{"count":0,"results":[],"external_references":{},"meta":{"count":0,"page_count":0,"page_number":0,"page_size":20}}""";

    public const string NotFound = """{"errors":[{"type":"system","message":"Record not found"}]}""";
    public const string Unauthorized = """{"errors":[{"type":"oauth","message":"Invalid OAuth 2 Request"}]}""";
    public const string ReadOnly = """{"errors":[{"type":"system","message":"This token is read-only; use a token with the write scope to change data."}]}""";

    /// <summary>Whole-second UTC ISO 8601 with <c>Z</c>, as Xref writes timestamps.</summary>
    public static string Time(DateTimeOffset t) =>
        DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds()).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>An envelope with the given page and meta; <paramref name="included"/> adds collections after <c>meta</c>.</summary>
    public static string Envelope(IEnumerable<Ref> page, long count, long pageCount, long pageNumber, int pageSize = 20, JsonObject? included = null)
    {
        var results = new JsonArray();
        var collection = new JsonObject();
        foreach (var r in page)
        {
            results.Add(new JsonObject { ["key"] = "external_references", ["id"] = r.WireId });
            collection[r.WireId] = r.ToJson();
        }
        var envelope = new JsonObject
        {
            ["count"] = count,
            ["results"] = results,
            ["external_references"] = collection,
            ["meta"] = new JsonObject { ["count"] = count, ["page_count"] = pageCount, ["page_number"] = pageNumber, ["page_size"] = pageSize },
        };
        if (included is not null)
            foreach (var (key, value) in included.ToList())
            {
                included.Remove(key);
                envelope[key] = value;
            }
        return envelope.ToJsonString();
    }

    /// <summary>A whole, unpaged list of page 1 with the default page size (or the exact empty envelope).</summary>
    public static string List(params Ref[] page) => page.Length == 0
        ? EmptyList
        : Envelope(page, page.Length, (page.Length + 19) / 20, 1);

    public static string ListWith(JsonObject included, params Ref[] page) =>
        Envelope(page, page.Length, (page.Length + 19) / 20, 1, 20, included);

    /// <summary>A create/update response: count 1, the standard single meta.</summary>
    public static string Single(Ref r, JsonObject? included = null) => Envelope([r], 1, 1, 1, 20, included);
}

public static class ReferenceActions
{
    /// <summary>
    /// Creates <paramref name="spec"/> through create_or_update (JSON) now, asserts the exact response and returns
    /// the reference with its id and timestamps.
    /// </summary>
    public static async Task<Ref> CreateRefAsync(this XrefApp app, Ref spec, string token = XrefApp.AcmeWrite)
    {
        var response = await app.Client(token).PostJson(Expected.UpsertUrl, spec.RequestJson());
        var body = await JsonAssert.StatusAsync(response, HttpStatusCode.OK);
        var id = long.Parse(body["results"]![0]!["id"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var now = app.Clock.Now;
        var expected = spec with { Id = id, CreatedAt = now, UpdatedAt = now, LastSyncedAt = now };
        JsonAssert.Equal(Expected.Single(expected), body.ToJsonString());
        return expected;
    }

    /// <summary>Re-sends <paramref name="existing"/> unchanged now: updated_at and last_synced_at move, nothing else.</summary>
    public static async Task<Ref> TouchRefAsync(this XrefApp app, Ref existing)
    {
        var response = await app.Client().PostJson(Expected.UpsertUrl, existing.RequestJson());
        var now = app.Clock.Now;
        var expected = existing with { UpdatedAt = now, LastSyncedAt = now };
        await JsonAssert.ResponseAsync(response, HttpStatusCode.OK, Expected.Single(expected));
        return expected;
    }

    public static void Tick(this XrefApp app, double seconds = 1) => app.Clock.Advance(TimeSpan.FromSeconds(seconds));

    /// <summary>GET /external_references with the raw query (after <c>?</c>).</summary>
    public static Task<HttpResponseMessage> ListAsync(this XrefApp app, string query, string? token = XrefApp.AcmeWrite) =>
        app.Client(token).GetAsync(Expected.ListUrl + "?" + query);

    /// <summary>Runs a statement on the server's database, in a transaction of its own.</summary>
    public static Task<int> ExecuteSqlAsync(this XrefApp app, string sql, object? parameters = null) =>
        app.Database.WriteAsync((c, tx) => c.ExecuteAsync(sql, parameters, tx));

    public static Task<T?> ScalarAsync<T>(this XrefApp app, string sql, object? parameters = null) =>
        app.Database.ReadAsync(c => c.ExecuteScalarAsync<T?>(sql, parameters));
}
