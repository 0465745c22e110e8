using System.Globalization;
using System.Data.Common;
using Microsoft.Extensions.Options;
using Xref.Auth;
using Xref.Hosting;
using Xref.Storage;
using Xref.Subjects;
using Xref.Wire;

namespace Xref.ExternalReferences;

/// <summary>The three External References endpoints of seeds 000–003.</summary>
public static class ExternalReferencesApi
{
    public static RouteGroupBuilder MapExternalReferences(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/external_references").WithTags("External References");
        group.MapGet("/", List).WithName("ListExternalReferences");
        group.MapPost("/create_or_update", CreateOrUpdate).WithName("CreateOrUpdateExternalReference");
        group.MapDelete("/{id}", Delete).WithName("DeleteExternalReference");
        return group;
    }

    /// <summary>GET /external_references: filters, order and paging of seed 002.</summary>
    public static async Task<IResult> List(HttpContext http, ExternalReferenceStore store, Database database, SubjectStore subjects, CancellationToken ct)
    {
        var caller = TokenFilter.CallerOf(http);
        var queryValues = new QueryValues(http.Request.Query);
        var query = ExternalReferenceQuery.Parse(queryValues);
        var includes = IncludeSet.Parse(queryValues["include"]);
        var (count, page) = await store.ListAsync(caller.AccountId, query, ct);
        var included = await IncludeSubjectsAsync(database, subjects, caller, page, includes, ct);
        return new Envelope(ExternalReference.CollectionKey, page, query.Page.Meta(count), included);
    }

    /// <summary>POST /external_references/create_or_update: the atomic upsert of contract §5.</summary>
    public static async Task<IResult> CreateOrUpdate(HttpContext http, ExternalReferenceStore store, Database database, SubjectStore subjects,
        IOptions<XrefOptions> options, CancellationToken ct)
    {
        var caller = TokenFilter.CallerOf(http);
        var body = await RequestBody.ReadAsync(http.Request, options.Value.MaxBodyBytes);
        var input = ExternalReferenceInput.Parse(RequestBody.Wrapper(body, "external_reference"));
        var includes = IncludeSet.Parse(new QueryValues(http.Request.Query)["include"], RequestBody.Include(body));
        var reference = await store.CreateOrUpdateAsync(caller, input, options.Value.AutoSubjects || caller.AutoSubjects, ct);
        List<ExternalReference> page = [reference];
        var included = await IncludeSubjectsAsync(database, subjects, caller, page, includes, ct);
        return new Envelope(ExternalReference.CollectionKey, page, PageMeta.Single, included);
    }

    /// <summary>DELETE /external_references/{id}: 204, or 404 for an unknown or foreign id.</summary>
    public static async Task<IResult> Delete(string id, HttpContext http, ExternalReferenceStore store, CancellationToken ct)
    {
        var caller = TokenFilter.CallerOf(http);
        // Digits only: " 1", "+1" or "1_000" name no record (long.TryParse alone would accept the first two).
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var referenceId)
            || !await store.DeleteAsync(caller.AccountId, referenceId, ct))
            throw ApiException.NotFound();
        return Results.NoContent();
    }

    /// <summary><c>include=subject</c>: <c>subject_ref</c> on each reference, and the subjects under their collection keys.</summary>
    private static async Task<IncludedCollections?> IncludeSubjectsAsync(Database database, SubjectStore subjects, Caller caller,
        List<ExternalReference> page, IncludeSet includes, CancellationToken ct)
    {
        if (!includes.Contains("subject")) return null;
        var included = new IncludedCollections();
        for (var i = 0; i < page.Count; i++)
            page[i] = page[i] with { SubjectKey = SubjectTypes.Find(page[i].SubjectType)!.CollectionKey };
        await using DbConnection connection = await database.OpenAsync(ct);
        foreach (var group in page.GroupBy(r => r.SubjectType))
        {
            var type = SubjectTypes.Find(group.Key)!;
            foreach (var subject in await subjects.FindAsync(connection, caller.AccountId, type, [.. group.Select(r => r.SubjectId).Distinct()]))
                included.Add(type.CollectionKey, subject);
        }
        return included;
    }
}
