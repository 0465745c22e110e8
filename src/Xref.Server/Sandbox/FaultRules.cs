using System.Text.Json;
using Xref.Auth;
using Xref.Wire;

namespace Xref.Sandbox;

/// <summary>
/// A fault rule of the control API: API requests it matches wait <see cref="LatencyMs"/>, then answer
/// <see cref="Status"/> (when set) with a Kantata-format error and write nothing. <see cref="Times"/> counts down
/// with each request the rule answers; the rule disappears at 0.
/// </summary>
public sealed record FaultRule(long Id, string Method, string Path, long? AccountId, int? Status, int LatencyMs, int? Times, double Probability)
{
    /// <summary><see cref="Path"/> as routing sees paths, worked out once rather than on every request.</summary>
    private readonly string pattern = NormalizePath(Path);

    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteNumber("id", Id);
        json.WriteString("method", Method);
        json.WriteString("path", Path);
        WriteNumberOrNull(json, "account_id", AccountId);
        WriteNumberOrNull(json, "status", Status);
        json.WriteNumber("latency_ms", LatencyMs);
        WriteNumberOrNull(json, "times", Times);
        json.WriteNumber("probability", Probability);
        json.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v) json.WriteNumber(name, v);
        else json.WriteNull(name);
    }

    /// <summary>Whether the rule matches a request: method (or <c>*</c>), account, and path (exact, or a prefix when it ends in <c>*</c>).</summary>
    public bool Matches(string method, string originalMethod, string path, long accountId)
    {
        if (Method != "*" && !Method.Equals(method, StringComparison.OrdinalIgnoreCase) && !Method.Equals(originalMethod, StringComparison.OrdinalIgnoreCase))
            return false;
        if (AccountId is { } account && account != accountId) return false;
        return pattern.EndsWith('*') ? path.StartsWith(pattern[..^1], StringComparison.Ordinal) : path == pattern;
    }

    /// <summary>As routing sees a path (Hosting.RequestPipeline): no repeated or trailing slash, no <c>.json</c> suffix.</summary>
    public static string NormalizePath(string path)
    {
        var star = path.EndsWith('*');
        var p = star ? path[..^1] : path;
        while (p.Contains("//", StringComparison.Ordinal)) p = p.Replace("//", "/", StringComparison.Ordinal);
        if (!star)
        {
            if (p.EndsWith(".json", StringComparison.Ordinal)) p = p[..^".json".Length];
            if (p.Length > 1) p = p.TrimEnd('/');
        }
        return star ? p + "*" : p;
    }
}

/// <summary>The fault rules of this node, oldest first; the oldest matching rule wins.</summary>
public sealed class FaultRules(int? seed)
{
    private readonly Lock gate = new();
    private readonly List<FaultRule> rules = [];
    private Random random = seed is { } s ? new Random(s) : new Random();
    private long nextId;

    public FaultRule Add(FaultRule rule)
    {
        lock (gate)
        {
            rule = rule with { Id = ++nextId };
            rules.Add(rule);
            return rule;
        }
    }

    public List<FaultRule> All()
    {
        lock (gate) return [.. rules];
    }

    public bool Remove(long id)
    {
        lock (gate) return rules.RemoveAll(r => r.Id == id) > 0;
    }

    /// <summary>Removes every rule; with <paramref name="restart"/>, ids and the random sequence start again (a reset).</summary>
    public void Clear(bool restart = false)
    {
        lock (gate)
        {
            rules.Clear();
            if (!restart) return;
            nextId = 0;
            random = seed is { } s ? new Random(s) : new Random();
        }
    }

    /// <summary>The rule that answers this request, if any, counting it down.</summary>
    public FaultRule? Take(string method, string originalMethod, string path, long accountId)
    {
        lock (gate)
        {
            for (var i = 0; i < rules.Count; i++)
            {
                var rule = rules[i];
                if (!rule.Matches(method, originalMethod, path, accountId)) continue;
                if (rule.Probability < 1 && random.NextDouble() >= rule.Probability) return null;
                if (rule.Times is { } times)
                {
                    if (times <= 1) rules.RemoveAt(i);
                    else rules[i] = rule with { Times = times - 1 };
                }
                return rule;
            }
            return null;
        }
    }
}

/// <summary>
/// Applies fault rules to the <c>/api/v1</c> group, after authentication and the scope check (a read-only token
/// still gets its 403) and before the handler reads or writes anything.
/// </summary>
public sealed class FaultFilter(FaultRules rules) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var caller = await Caller.AuthenticateAsync(http);
        var original = http.Items[Hosting.RequestPipeline.OriginalMethodKey] as string ?? http.Request.Method;
        if (rules.Take(http.Request.Method, original, http.Request.Path.Value ?? "", caller.AccountId) is { } rule)
        {
            if (rule.LatencyMs > 0) await Task.Delay(rule.LatencyMs, http.RequestAborted);
            if (rule.Status is { } status) throw Answer(status, rule.Id);
        }
        return await next(context);
    }

    private static ApiException Answer(int status, long ruleId) => status switch
    {
        401 => ApiException.Unauthorized(),
        404 => ApiException.NotFound(),
        429 or 503 => new ApiException(status, [ApiError.System(
            $"{(status == 429 ? "Too many requests" : "The service is unavailable")} (fault rule {ruleId} of the Xref control API); retry after the Retry-After delay.")],
            TimeSpan.FromSeconds(1)),
        _ => new ApiException(status, [ApiError.System($"A fault injected by rule {ruleId} of the Xref control API.")]),
    };
}
