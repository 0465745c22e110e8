using System.Net;
using System.Text;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.OpenApi;

/// <summary>
/// <see cref="ResponseValidation"/> really checks: the clients every API test uses pass their answers through it, and
/// answers the document does not describe fail the request that received them.
/// </summary>
public sealed class ResponseValidationTests
{
    private const string List = "/api/v1/external_references?subject_type=Workspace";

    [Theory, AllDatabases]
    public async Task Every_api_answer_a_test_client_receives_is_checked(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var before = ResponseValidation.Checked;
        await JsonAssert.StatusAsync(await app.Client().GetAsync(List), HttpStatusCode.OK);
        await JsonAssert.StatusAsync(await app.Client(null).GetAsync(List), HttpStatusCode.Unauthorized);
        Assert.True(ResponseValidation.Checked >= before + 2);
    }

    public static TheoryData<string, string, int, string, string> Wrong() => new()
    {
        // subject_id is an integer; "100" is the wrong type.
        { "GET", List, 200, """{"count":1,"results":[{"key":"external_references","id":"1"}],"external_references":{"1":""" + Reference("\"100\"") + """},"meta":{"count":1,"page_count":1,"page_number":1,"page_size":20}}""", "subject_id" },
        // An envelope has no other top-level key (a Brainstem client would read "errors" as a collection).
        { "GET", List, 200, """{"count":0,"results":[],"external_references":{},"meta":{"count":0,"page_count":0,"page_number":0,"page_size":20},"errors":[]}""", "errors" },
        // A list never answers 404, and a DELETE answers 204, not 200.
        { "GET", List, 404, """{"errors":[{"type":"system","message":"Record not found"}]}""", "does not declare" },
        { "DELETE", "/api/v1/external_references/1", 200, "{}", "does not declare" },
        // An error body without its message; a 204 with a body; an unknown route answering 200.
        { "GET", List, 401, """{"errors":[{"type":"oauth"}]}""", "message" },
        { "DELETE", "/api/v1/status_reports/1.json", 204, "{}", "declares none" },
        { "GET", "/api/v1/nothing_here", 200, "{}", "not in the document" },
    };

    [Theory, MemberData(nameof(Wrong))]
    public async Task An_answer_the_document_does_not_describe_fails_the_request(string method, string path, int status, string body, string reason)
    {
        await using var app = await XrefApp.StartAsync("sqlite", seed: null);
        using var client = new HttpClient(new ResponseValidation(app.ContractAsync) { InnerHandler = new Canned(status, body) })
            { BaseAddress = new Uri("http://localhost") };
        var error = await Assert.ThrowsAsync<ResponseContractException>(() => client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public async Task An_answer_the_document_describes_passes()
    {
        await using var app = await XrefApp.StartAsync("sqlite", seed: null);
        var body = """{"count":1,"results":[{"key":"external_references","id":"1"}],"external_references":{"1":""" + Reference("100") +
            """},"meta":{"count":1,"page_count":1,"page_number":1,"page_size":20}}""";
        using var client = new HttpClient(new ResponseValidation(app.ContractAsync) { InnerHandler = new Canned(200, body) })
            { BaseAddress = new Uri("http://localhost") };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(List)).StatusCode);
    }

    private static string Reference(string subjectId) =>
        $$"""{"subject_type":"Workspace","subject_id":{{subjectId}},"service_name":"jira","service_model":"Issue","service_model_ref":"J-1","status":"pending","external_link":null,"external_status":null,"external_message":null,"locked":false,"last_synced_at":"2026-11-22T14:15:20Z","created_at":"2026-11-22T14:15:20Z","updated_at":"2026-11-22T14:15:20Z","id":"1"}""";

    /// <summary>Answers every request with one status and JSON body, standing in for a server that breaks the contract.</summary>
    private sealed class Canned(int status, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }
}
