using Xref.Client;
using Xref.Tests.Infrastructure;

namespace Xref.Tests.Client;

/// <summary>Xref.Client over an in-process XrefApp, counting the HTTP requests it sends.</summary>
public sealed class Clients
{
    private sealed class Counter : DelegatingHandler
    {
        public int Requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Interlocked.Increment(ref Requests);
            return base.SendAsync(request, ct);
        }
    }

    private readonly Counter counter;

    private Clients(XrefApp app, string token, KantataClientOptions? options)
    {
        counter = new Counter { InnerHandler = app.Server.CreateHandler() };
        Client = new KantataClient(new HttpClient(counter) { BaseAddress = app.Server.BaseAddress },
            (options ?? new KantataClientOptions()) with { Token = token });
    }

    public KantataClient Client { get; }

    /// <summary>HTTP requests sent so far (retries included).</summary>
    public int Requests => counter.Requests;

    public static Clients For(XrefApp app, string token = XrefApp.AcmeWrite, KantataClientOptions? options = null) => new(app, token, options);

    public static ExternalReferenceInput Reference(long subject, string service = "jira", string reference = "WEB-1", string type = "Workspace",
        SyncStatus? status = null) => new()
    {
        SubjectType = type, SubjectId = subject, ServiceName = service, ServiceModel = "issue", ServiceModelRef = reference, Status = status,
    };
}
