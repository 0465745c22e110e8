using System.Net;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.Operations;

public sealed class RateLimitTests
{
    [Theory, AllDatabases]
    public async Task A_token_over_its_limit_gets_429_with_retry_after_and_others_are_unaffected(string db)
    {
        await using var app = await XrefApp.StartAsync(db, settings: new() { ["rate-limit"] = "1/5" });
        var noisy = app.Client();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++) statuses.Add((await noisy.GetAsync("/api/v1/external_references?subject_type=Workspace")).StatusCode);
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.OK));
        var limited = await noisy.GetAsync("/api/v1/external_references?subject_type=Workspace");
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        await JsonAssert.ErrorAsync(limited, HttpStatusCode.TooManyRequests,
            ("system", null, "Too many requests for this token; the limit is 1 per second with bursts of 5. Retry after the Retry-After delay."));
        Assert.Equal(HttpStatusCode.OK, (await app.Client(XrefApp.OtherWrite).GetAsync("/api/v1/external_references?subject_type=Workspace")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await noisy.GetAsync("/health")).StatusCode);
    }

    [Theory, AllDatabases]
    public async Task Off_disables_the_limit(string db)
    {
        await using var app = await XrefApp.StartAsync(db, settings: new() { ["rate-limit"] = "off" });
        var client = app.Client();
        var responses = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => client.GetAsync("/api/v1/external_references?subject_type=Workspace")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }
}
