using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Xref.Client;

/// <summary><c>/external_references</c>: <see cref="ListAsync"/>, <see cref="ListAllAsync"/>, <see cref="CreateOrUpdateAsync(ExternalReferenceInput, CancellationToken)"/>, <see cref="DeleteAsync"/>.</summary>
public sealed class ExternalReferencesResource
{
    private const string Key = "external_references";
    private readonly KantataTransport transport;

    internal ExternalReferencesResource(KantataTransport transport) => this.transport = transport;

    /// <summary>One page of <c>GET /external_references</c>.</summary>
    public async Task<Page<ExternalReference>> ListAsync(ExternalReferenceQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        using var json = await transport.SendAsync(HttpMethod.Get, Key + query.ToQueryString(), null, idempotent: true, ct);
        return Envelope.Read(json!.RootElement, Key, KantataJson.Default.ExternalReference);
    }

    /// <summary>
    /// Every page of the query, walked as Kantata's clients do (see the package README): <c>per_page</c> is the query's
    /// (200 when absent), <c>page</c>, <c>limit</c> and <c>offset</c> are the walk's. With <c>only</c>, one page.
    /// </summary>
    public IAsyncEnumerable<Page<ExternalReference>> ListPagesAsync(ExternalReferenceQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Only is not null) return Paging.One(ListAsync(query with { Page = null, Limit = null, Offset = null }, ct));
        return Paging.PagesAsync((page, size, token) => ListAsync(query with { Page = page, PerPage = size, Limit = null, Offset = null }, token), query.PerPage, ct);
    }

    /// <summary>Every record of the query, each once, in the query's order (see <see cref="ListPagesAsync"/>).</summary>
    public IAsyncEnumerable<ExternalReference> ListAllAsync(ExternalReferenceQuery query, CancellationToken ct = default) =>
        Paging.RecordsAsync(ListPagesAsync(query, ct), ct);

    /// <summary><c>POST /external_references/create_or_update</c>: creates the reference of (subject, service name), or updates the fields set.</summary>
    public async Task<ExternalReference> CreateOrUpdateAsync(ExternalReferenceInput input, CancellationToken ct = default) =>
        (await CreateOrUpdateAsync(input, ExternalReferenceIncludes.None, ct)).Record;

    /// <summary><c>POST /external_references/create_or_update</c> with includes.</summary>
    public async Task<KantataResult<ExternalReference>> CreateOrUpdateAsync(ExternalReferenceInput input, ExternalReferenceIncludes include, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var body = JsonSerializer.SerializeToUtf8Bytes(new ExternalReferenceBody(input), BodyJson.Default.ExternalReferenceBody);
        // create_or_update is idempotent (an upsert on its key), so a 503 is retried like a read.
        using var json = await transport.SendAsync(HttpMethod.Post, Key + "/create_or_update" + new QueryString().Add("include", Wire.Include(include)),
            body, idempotent: true, ct);
        var page = Envelope.Read(json!.RootElement, Key, KantataJson.Default.ExternalReference);
        return new KantataResult<ExternalReference>(page.Records[0], page.Included);
    }

    /// <summary><c>DELETE /external_references/{id}</c>; a 404 (unknown, or deleted already) throws.</summary>
    public async Task DeleteAsync(long id, CancellationToken ct = default)
    {
        using var _ = await transport.SendAsync(HttpMethod.Delete, $"{Key}/{id}", null, idempotent: true, ct);
    }
}
