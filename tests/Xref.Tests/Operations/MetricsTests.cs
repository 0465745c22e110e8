using System.Net;
using System.Text.RegularExpressions;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.Operations;

/// <summary><c>--metrics</c>: Prometheus metrics at /metrics, each family with its labels, and nothing without the option.</summary>
public sealed class MetricsTests
{
    private const string List = "/api/v1/external_references?subject_type=Workspace&per_page=1";

    [Theory, AllDatabases]
    public async Task Metrics_are_not_served_without_the_option(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client(null).GetAsync("/metrics")).StatusCode);
    }

    [Theory, AllDatabases]
    public async Task Every_metric_family_appears_with_its_labels_after_a_few_requests(string db)
    {
        await using var app = await XrefApp.StartAsync(db, settings: new() { ["metrics"] = "true", ["rate-limit"] = "1/10" });
        var client = app.Client();
        foreach (var (id, status) in new[] { (100, "failed"), (101, "pending"), (100, "pending") })
        {
            var body = "{\"external_reference\": {\"subject_type\": \"Workspace\", \"subject_id\": " + id + ", \"service_name\": \"svc-" + status +
                "\", \"service_model\": \"issue\", \"service_model_ref\": \"R-1\", \"status\": \"" + status + "\"}}";
            Assert.Equal(HttpStatusCode.OK, (await client.PostJson("/api/v1/external_references/create_or_update", body)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(List)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(List + "&page=2")).StatusCode); // seeks past page 1: a hit
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(List + "&page=3&order=created_at:desc")).StatusCode); // a miss
        HttpStatusCode last;
        do last = (await client.GetAsync(List)).StatusCode; while (last == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.TooManyRequests, last);

        var metrics = await app.Client(null).GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        var text = await metrics.Content.ReadAsStringAsync();
        var system = db == "postgres" ? "postgresql" : "sqlite";
        AssertFamily(text, "http_server_request_duration_seconds_bucket", """http_route="/api/v1/external_references/" """.Trim(), """http_response_status_code="200" """.Trim());
        AssertFamily(text, "http_server_request_duration_seconds_bucket", """http_route="/api/v1/external_references/create_or_update" """.Trim());
        AssertFamily(text, "http_server_request_duration_seconds_count", """http_response_status_code="429" """.Trim());
        Assert.Matches(new Regex("^xref_rate_limit_rejections_total(\\{[^}]*\\})? [1-9][0-9]*( |$)", RegexOptions.Multiline), text);
        AssertFamily(text, "xref_db_connection_wait_seconds_bucket", $"db_system=\"{system}\"");
        AssertFamily(text, "xref_db_command_duration_seconds_bucket", $"db_system=\"{system}\"");
        AssertFamily(text, "xref_page_cache_lookups_total", "result=\"hit\"");
        AssertFamily(text, "xref_page_cache_lookups_total", "result=\"miss\"");
        // Page 1, asked again until the rate limit refused it, was served from the remembered rows.
        Assert.Matches(new Regex("^xref_page_cache_reused_total(\\{[^}]*\\})? [1-9][0-9]*( |$)", RegexOptions.Multiline), text);
        if (db == "sqlite") AssertFamily(text, "xref_sqlite_group_commit_size_bucket", "le=\"1\"");
        else
        {
            AssertFamily(text, "db_client_operation_duration_seconds_bucket");
            AssertFamily(text, "xref_postgres_group_commit_size_bucket", "le=\"1\"");
        }
        // The gauge is summed from the count tables when scraped: one failed, two pending, in this app's own database.
        Assert.Matches(new Regex("""^xref_references\{[^}]*status="failed"[^}]*\} 1( |$)""", RegexOptions.Multiline), text);
        Assert.Matches(new Regex("""^xref_references\{[^}]*status="pending"[^}]*\} 2( |$)""", RegexOptions.Multiline), text);
    }

    /// <summary>A sample line of <paramref name="name"/> carrying every label given.</summary>
    private static void AssertFamily(string text, string name, params string[] labels)
    {
        var lines = text.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal));
        Assert.True(lines.Any(l => labels.All(l.Contains)),
            $"no {name} line with {string.Join(", ", labels)}; the {name} lines:\n{string.Join('\n', lines.Take(20))}");
    }
}
