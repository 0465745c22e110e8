using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Xref.ExternalReferences;
using Xref.Hosting;
using Xref.Seeding;
using Xref.Storage;
using Xref.Subjects;
using Xref.Wire;

namespace Xref.Sandbox;

/// <summary>
/// The sandbox control API under <c>/_xref/</c> (issue 11): reset, seed, the request journal, fault rules, the clock
/// and status transitions; and the OAuth shortcut (issue 12, <see cref="OAuthShortcut"/>). Mapped only with <c>--admin-token</c> or <c>--sandbox</c> (otherwise its routes are unknown
/// routes, 404); every call needs <c>Authorization: Bearer &lt;admin token&gt;</c> (401 otherwise). It acts on the node
/// it is called on.
/// </summary>
public static class ControlApi
{
    /// <summary>What the handlers use, bound from the container in one parameter.</summary>
    public sealed record Services(SandboxReset Reset, SeedApplier Seeds, Database Database, RequestJournal Journal, FaultRules Faults,
        Transitions Transitions, ControlClock Clock, IOptions<XrefOptions> Options);

    public static void MapControl(this IEndpointRouteBuilder app)
    {
        var control = app.MapGroup("/_xref").AddEndpointFilter<AdminFilter>().ExcludeFromDescription();
        control.MapPost("/reset", Reset);
        control.MapPost("/seed", ApplySeed);
        control.MapGet("/requests", Requests);
        control.MapDelete("/requests", (RequestJournal journal) => { journal.Clear(); return Results.NoContent(); });
        control.MapPost("/faults", AddFault);
        control.MapGet("/faults", (FaultRules faults) => Json(200, j => WriteList(j, "faults", faults.All(), (w, r) => r.Write(w))));
        control.MapDelete("/faults/{id}", (string id, FaultRules faults) => faults.Remove(RecordId.ParseOrNotFound(id)) ? Results.NoContent() : throw ApiException.NotFound());
        control.MapDelete("/faults", (FaultRules faults) => { faults.Clear(); return Results.NoContent(); });
        control.MapGet("/clock", (ControlClock clock) => Json(200, j => WriteClock(j, clock)));
        control.MapPost("/clock", SetClock);
        control.MapPost("/transitions", AddTransition);
        control.MapGet("/transitions", (Transitions transitions) => Json(200, j => WriteList(j, "transitions", transitions.All(), (w, r) => r.Write(w))));
        control.MapDelete("/transitions/{id}", (string id, Transitions transitions) =>
            transitions.Remove(RecordId.ParseOrNotFound(id)) ? Results.NoContent() : throw ApiException.NotFound());
        control.MapPost("/oauth/authorize", OAuthShortcut.Authorize);
    }

    /// <summary>POST /_xref/reset, optionally with <c>{"seed": &lt;seed document&gt;}</c>.</summary>
    public static async Task<IResult> Reset(HttpRequest request, [AsParameters] Services services, CancellationToken ct)
    {
        Seed? seed = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            var body = await RequestBody.ReadAsync(request, services.Options.Value.MaxBodyBytes);
            if (body["seed"] is { } document) seed = ParseSeed(document.ToJsonString(), "$.seed");
        }
        await services.Reset.ResetAsync(seed, ct);
        return Results.NoContent();
    }

    /// <summary>POST /_xref/seed: applies a seed document on top of what exists, in one transaction.</summary>
    public static async Task<IResult> ApplySeed(HttpRequest request, [AsParameters] Services services, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(request, services.Options.Value.MaxBodyBytes);
        var seed = ParseSeed(body.ToJsonString(), "$");
        try
        {
            await services.Database.WriteAsync(async (c, tx) =>
            {
                await services.Seeds.ApplyAsync(c, tx, seed, "seed", ct);
                return 0;
            }, ct);
        }
        catch (SeedException e)
        {
            throw ApiException.Invalid(e.Place ?? "$", e.Message);
        }
        return Json(200, json =>
        {
            json.WriteStartObject();
            WriteIds(json, "accounts", seed.Accounts.Select(a => a.Id));
            WriteIds(json, "users", seed.Accounts.SelectMany(a => a.Users).Select(u => u.Id));
            json.WriteNumber("tokens", seed.Accounts.SelectMany(a => a.Users).Sum(u => u.Tokens.Count));
            json.WriteStartObject("subjects");
            foreach (var type in seed.Accounts.SelectMany(a => a.Subjects).GroupBy(s => s.Type))
                WriteIds(json, type.Key, type.Select(s => s.Id));
            json.WriteEndObject();
            json.WriteEndObject();
        });
    }

    /// <summary>GET /_xref/requests?limit=N&amp;account_id=A: the journal, newest first.</summary>
    public static IResult Requests(HttpRequest request, RequestJournal journal)
    {
        var query = new QueryValues(request.Query);
        var limit = query["limit"] is { } l ? RecordId.TryParse(l, out var n) ? (int)Math.Min(n, int.MaxValue) : throw ApiException.BadParameter("limit", "limit must be a positive integer.") : int.MaxValue;
        long? account = query["account_id"] is { } a ? RecordId.TryParse(a, out var id) ? id : throw ApiException.BadParameter("account_id", "account_id must be an account id.") : null;
        var entries = journal.Recent(limit, account);
        return Json(200, json => WriteList(json, "requests", entries, (w, e) => e.Write(w, journal.WithBodies)));
    }

    /// <summary>POST /_xref/faults: 201 with the rule.</summary>
    public static async Task<IResult> AddFault(HttpRequest request, [AsParameters] Services services)
    {
        var body = await RequestBody.ReadAsync(request, services.Options.Value.MaxBodyBytes);
        var fields = new FieldReader(body);
        var path = fields.RequiredString("path", 2048);
        if (path is not null && !path.StartsWith('/')) fields.Fail("path", "path must start with '/', such as /api/v1/external_references/create_or_update (a '*' at the end makes it a prefix).");
        var method = fields.String("method", 16).Value ?? "*";
        var account = fields.Integer("account_id", 1, long.MaxValue).Value;
        var status = fields.Integer("status", 400, 599).Value;
        var latency = fields.Integer("latency_ms", 0, 600_000).Value;
        var times = fields.Integer("times", 1, int.MaxValue).Value;
        var probability = Probability(body, fields);
        if (fields.Errors.Count > 0) throw ApiException.Invalid(fields.Errors);
        var rule = services.Faults.Add(new FaultRule(0, method.ToUpperInvariant(), path!, account, (int?)status, (int)(latency ?? 0), (int?)times, probability));
        return Json(201, rule.Write);
    }

    /// <summary>POST /_xref/clock: <c>{"now": ...}</c> freezes, <c>{"advance_seconds": n}</c> moves, <c>{"real": true}</c> releases.</summary>
    public static async Task<IResult> SetClock(HttpRequest request, [AsParameters] Services services, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(request, services.Options.Value.MaxBodyBytes);
        var given = new[] { "now", "advance_seconds", "real" }.Where(body.ContainsKey).ToList();
        if (given.Count != 1)
            throw ApiException.Invalid("now", "Send exactly one of {\"now\": \"2030-01-01T00:00:00Z\"}, {\"advance_seconds\": 3600} or {\"real\": true}.");
        var clock = services.Clock;
        switch (given[0])
        {
            case "now":
                if (body["now"] is not JsonValue v || !v.TryGetValue<string>(out var text)
                    || !DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var moment))
                    throw ApiException.Invalid("now", "now must be an ISO 8601 datetime such as 2030-01-01T00:00:00Z.");
                clock.Freeze(moment);
                break;
            case "advance_seconds":
                if (body["advance_seconds"] is not JsonValue a || !a.TryGetValue<double>(out var seconds) || double.IsNaN(seconds) || Math.Abs(seconds) > 1e10)
                    throw ApiException.Invalid("advance_seconds", "advance_seconds must be a number of seconds, such as 3600.");
                clock.Advance(TimeSpan.FromSeconds(seconds));
                break;
            default:
                if (body["real"] is not JsonValue r || !r.TryGetValue<bool>(out var real) || !real)
                    throw ApiException.Invalid("real", "real must be true, to make the clock follow the real time again.");
                clock.Release();
                break;
        }
        await services.Transitions.ApplyDueAsync(ct);
        return Json(200, j => WriteClock(j, clock));
    }

    /// <summary>POST /_xref/transitions: 201 with the rule.</summary>
    public static async Task<IResult> AddTransition(HttpRequest request, [AsParameters] Services services)
    {
        var body = await RequestBody.ReadAsync(request, services.Options.Value.MaxBodyBytes);
        var fields = new FieldReader(body);
        var service = fields.RequiredString("service_name", ExternalReferenceInput.NameLength);
        var type = fields.String("subject_type", ExternalReferenceInput.NameLength).Value;
        if (type is not null && SubjectTypes.Find(type) is null) fields.Fail("subject_type", $"subject_type must be one of {SubjectTypes.NameList}, or null for all.");
        var from = fields.OneOf("from", ExternalReferenceInput.Statuses, required: true).Value;
        var to = fields.OneOf("to", ExternalReferenceInput.Statuses, required: true).Value;
        var after = fields.Integer("after_seconds", 0, 10L * 365 * 24 * 3600).Value ?? 0;
        var externalStatus = fields.String("external_status", ExternalReferenceInput.NameLength).Value;
        var externalMessage = fields.String("external_message", ExternalReferenceInput.MessageLength).Value;
        if (fields.Errors.Count > 0) throw ApiException.Invalid(fields.Errors);
        var rule = services.Transitions.Add(new TransitionRule(0, service!, type, from!, to!, after, externalStatus, externalMessage));
        return Json(201, rule.Write);
    }

    private static Seed ParseSeed(string text, string root)
    {
        try
        {
            return Seed.Parse(text, "seed");
        }
        catch (SeedException e)
        {
            var place = e.Place is { } p ? root + p.TrimStart('$') : root;
            throw ApiException.Invalid(place, e.Message);
        }
    }

    private static double Probability(JsonObject body, FieldReader fields)
    {
        if (body["probability"] is null) return 1.0;
        if (body["probability"] is JsonValue v && v.TryGetValue<double>(out var p) && p is >= 0 and <= 1) return p;
        fields.Fail("probability", "probability must be a number from 0 to 1.");
        return 1.0;
    }

    private static void WriteClock(Utf8JsonWriter json, ControlClock clock)
    {
        json.WriteStartObject();
        json.WriteString("now", WireValues.Timestamp(clock.GetUtcNow().ToUnixTimeSeconds()));
        json.WriteBoolean("frozen", clock.Frozen);
        json.WriteEndObject();
    }

    private static void WriteList<T>(Utf8JsonWriter json, string name, IEnumerable<T> items, Action<Utf8JsonWriter, T> write)
    {
        json.WriteStartObject();
        json.WriteStartArray(name);
        foreach (var item in items) write(json, item);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteIds(Utf8JsonWriter json, string name, IEnumerable<long> ids)
    {
        json.WriteStartArray(name);
        foreach (var id in ids) json.WriteNumberValue(id);
        json.WriteEndArray();
    }

    internal static IResult Json(int status, Action<Utf8JsonWriter> write) => new ControlJson(status, write);

    private sealed class ControlJson(int status, Action<Utf8JsonWriter> write) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = Envelope.JsonContentType;
            await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
            write(json);
            await json.FlushAsync();
        }
    }

    /// <summary>Every control call needs the admin token (compared in constant time); 401 otherwise.</summary>
    public sealed class AdminFilter(IOptions<XrefOptions> options) : IEndpointFilter
    {
        private readonly byte[] expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.AdminToken ?? ""));

        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            var authorization = context.HttpContext.Request.Headers.Authorization.ToString();
            var token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : "";
            if (token.Length == 0 || !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(token)), expected))
                throw new ApiException(401, [new ApiError("oauth", "The control API needs Authorization: Bearer <admin token> (the --admin-token value).")]);
            return await next(context);
        }
    }
}
