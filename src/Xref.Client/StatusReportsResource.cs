using System.Text.Json;

namespace Xref.Client;

/// <summary><c>/status_reports</c>: create, get, list, list-all, update, delete; each read and write may include creator, updater, workspace and external references.</summary>
public sealed class StatusReportsResource
{
    private const string Key = "status_reports";
    private readonly KantataTransport transport;

    internal StatusReportsResource(KantataTransport transport) => this.transport = transport;

    /// <summary>One page of <c>GET /status_reports</c>.</summary>
    public async Task<Page<StatusReport>> ListAsync(StatusReportQuery? query = null, CancellationToken ct = default)
    {
        query ??= new StatusReportQuery();
        using var json = await transport.SendAsync(HttpMethod.Get, Key + query.ToQueryString(), null, idempotent: true, ct);
        return Envelope.Read(json!.RootElement, Key, KantataJson.Default.StatusReport);
    }

    /// <summary>Every page of the query, walked as <see cref="ExternalReferencesResource.ListPagesAsync"/> does.</summary>
    public IAsyncEnumerable<Page<StatusReport>> ListPagesAsync(StatusReportQuery? query = null, CancellationToken ct = default)
    {
        query ??= new StatusReportQuery();
        if (query.Only is not null) return Paging.One(ListAsync(query with { Page = null, Limit = null, Offset = null }, ct));
        return Paging.PagesAsync((page, size, token) => ListAsync(query with { Page = page, PerPage = size, Limit = null, Offset = null }, token), query.PerPage, ct);
    }

    /// <summary>Every report of the query, each once.</summary>
    public IAsyncEnumerable<StatusReport> ListAllAsync(StatusReportQuery? query = null, CancellationToken ct = default) =>
        Paging.RecordsAsync(ListPagesAsync(query, ct), ct);

    /// <summary><c>GET /status_reports/{id}</c>; 404 throws.</summary>
    public async Task<StatusReport> GetAsync(long id, CancellationToken ct = default) => (await GetAsync(id, StatusReportIncludes.None, ct)).Record;

    /// <summary><c>GET /status_reports/{id}</c> with includes.</summary>
    public Task<KantataResult<StatusReport>> GetAsync(long id, StatusReportIncludes include, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Get, $"{Key}/{id}", include, null, idempotent: true, ct);

    /// <summary><c>POST /status_reports</c> (workspace, colour and description required), with its nested external reference in one transaction.</summary>
    public async Task<StatusReport> CreateAsync(StatusReportInput input, CancellationToken ct = default) => (await CreateAsync(input, StatusReportIncludes.None, ct)).Record;

    /// <summary>
    /// <c>POST /status_reports</c> with includes. A create is retried on 429 only: a 503 may come after the report was
    /// committed, and a second POST would make a second report.
    /// </summary>
    public Task<KantataResult<StatusReport>> CreateAsync(StatusReportInput input, StatusReportIncludes include, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, Key, include, Body(input), idempotent: false, ct);

    /// <summary><c>PUT /status_reports/{id}</c>: the fields set change; a nested external reference is upserted by its service name.</summary>
    public async Task<StatusReport> UpdateAsync(long id, StatusReportInput input, CancellationToken ct = default) =>
        (await UpdateAsync(id, input, StatusReportIncludes.None, ct)).Record;

    /// <summary><c>PUT /status_reports/{id}</c> with includes.</summary>
    public Task<KantataResult<StatusReport>> UpdateAsync(long id, StatusReportInput input, StatusReportIncludes include, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"{Key}/{id}", include, Body(input), idempotent: true, ct);

    /// <summary><c>DELETE /status_reports/{id}</c> (its external references go with it); 404 throws.</summary>
    public async Task DeleteAsync(long id, CancellationToken ct = default)
    {
        using var _ = await transport.SendAsync(HttpMethod.Delete, $"{Key}/{id}", null, idempotent: true, ct);
    }

    private async Task<KantataResult<StatusReport>> SendAsync(HttpMethod method, string path, StatusReportIncludes include, byte[]? body, bool idempotent, CancellationToken ct)
    {
        using var json = await transport.SendAsync(method, path + new QueryString().Add("include", Wire.Include(include)), body, idempotent, ct);
        var page = Envelope.Read(json!.RootElement, Key, KantataJson.Default.StatusReport);
        return new KantataResult<StatusReport>(page.Records[0], page.Included);
    }

    private static byte[] Body(StatusReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return JsonSerializer.SerializeToUtf8Bytes(new StatusReportBody(input), BodyJson.Default.StatusReportBody);
    }
}
