namespace Xref.Tests.Infrastructure;

/// <summary>
/// Checks every <c>/api/v1</c> answer a test receives against Xref's own served OpenAPI document (<see cref="ApiContract"/>):
/// the status must be one the operation declares, and the body must match the schema declared for it. A mismatch
/// fails the request, so the test that made it fails with the reason. <see cref="XrefApp.Client"/> puts it in every client.
/// </summary>
public sealed class ResponseValidation(Func<Task<ApiContract>> contract) : DelegatingHandler
{
    private static long @checked;

    /// <summary>How many answers have been checked in this test run (a test proves the clients really check).</summary>
    public static long Checked => Interlocked.Read(ref @checked);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var method = request.Method.Method;
        var response = await base.SendAsync(request, cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        if (!ApiContract.RailsPath(path).StartsWith("/api/v1/", StringComparison.Ordinal) || method == "HEAD" || method == "OPTIONS") return response;
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        Interlocked.Increment(ref @checked);
        var problem = (await contract()).Check(method, path, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
        if (problem is not null)
            throw new ResponseContractException(problem + "\nbody: " + System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 2000))));
        return response;
    }
}

/// <summary>An answer that Xref's OpenAPI document does not describe.</summary>
public sealed class ResponseContractException(string message) : Exception(message);
