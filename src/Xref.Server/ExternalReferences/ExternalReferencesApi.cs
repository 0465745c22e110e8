using Microsoft.Extensions.Options;
using Xref.Auth;
using Xref.Hosting;
using Xref.Includes;
using Xref.Sandbox;
using Xref.Subjects;
using Xref.Wire;

namespace Xref.ExternalReferences;

/// <summary>The three External References endpoints of seeds 000–003.</summary>
public static class ExternalReferencesApi
{
    /// <summary>What the handlers use, bound from the container in one parameter.</summary>
    public sealed record Services(ExternalReferenceStore Store, IncludeLoader Includes, Transitions Transitions, IOptions<XrefOptions> Options);

    /// <summary><c>include=subject</c>: the polymorphic subject, under its own type's collection key.</summary>
    private static readonly Include<ExternalReference>[] Offered =
        [new("subject", null, r => (SubjectTypes.Find(r.SubjectType)!, r.SubjectId))];

    public static RouteGroupBuilder MapExternalReferences(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/external_references").WithTags("External References");
        group.MapGet("/", List).WithName("ListExternalReferences").DescribeList();
        group.MapPost("/create_or_update", CreateOrUpdate).WithName("CreateOrUpdateExternalReference").DescribeCreateOrUpdate();
        group.MapDelete("/{id}", Delete).WithName("DeleteExternalReference").DescribeDelete();
        return group;
    }

    /// <summary>GET /external_references: filters, order and paging of seed 002 (documented in ExternalReferencesOpenApi).</summary>
    public static async Task<IResult> List(Caller caller, HttpRequest request, [AsParameters] Services services, CancellationToken ct)
    {
        var values = new QueryValues(request.Query);
        var query = ExternalReferenceQuery.Parse(values);
        var (count, page) = await services.Store.ListAsync(caller.AccountId, query, ct);
        return await RespondAsync(caller, page, query.Page.Meta(count), IncludeSet.Parse(values["include"]), services, ct);
    }

    /// <summary>POST /external_references/create_or_update: the atomic upsert of contract §5.</summary>
    public static async Task<IResult> CreateOrUpdate(Caller caller, HttpRequest request, [AsParameters] Services services, CancellationToken ct)
    {
        var options = services.Options.Value;
        var body = await RequestBody.ReadAsync(request, options.MaxBodyBytes);
        var input = ExternalReferenceInput.Parse(RequestBody.Wrapper(body, "external_reference"));
        var reference = await services.Store.CreateOrUpdateAsync(caller, input, options.AutoSubjects || caller.AutoSubjects, ct);
        services.Transitions.Observe(reference, statusSent: input.Status is not null);
        return await RespondAsync(caller, [reference], PageMeta.Single, RequestBody.Includes(request, body), services, ct);
    }

    /// <summary>DELETE /external_references/{id}: 204, or 404 for an unknown or foreign id.</summary>
    public static async Task<IResult> Delete(string id, Caller caller, [AsParameters] Services services, CancellationToken ct)
    {
        if (!await services.Store.DeleteAsync(caller.AccountId, RecordId.ParseOrNotFound(id), ct)) throw ApiException.NotFound();
        return Results.NoContent();
    }

    /// <summary>The envelope; with <c>include=subject</c>, <c>subject_ref</c> on each reference and the subjects under their keys.</summary>
    private static async Task<IResult> RespondAsync(Caller caller, List<ExternalReference> page, PageMeta meta, IncludeSet includes,
        Services services, CancellationToken ct)
    {
        if (includes.Contains("subject"))
            for (var i = 0; i < page.Count; i++)
                page[i] = page[i] with { SubjectKey = SubjectTypes.Find(page[i].SubjectType)!.CollectionKey };
        var included = await services.Includes.LoadAsync(caller.AccountId, page, includes, Offered, ct);
        return new Envelope(ExternalReference.CollectionKey, page, meta, included);
    }
}
