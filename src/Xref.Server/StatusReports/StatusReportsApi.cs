using Microsoft.Extensions.Options;
using Xref.Auth;
using Xref.ExternalReferences;
using Xref.Hosting;
using Xref.Includes;
using Xref.Sandbox;
using Xref.Subjects;
using Xref.Wire;

namespace Xref.StatusReports;

/// <summary>The Status Reports endpoints (seed 004, contract §6), with their nested external reference.</summary>
public static class StatusReportsApi
{
    private const string Wrapper = "status_report";

    /// <summary>What the handlers use, bound from the container in one parameter.</summary>
    public sealed record Services(StatusReportStore Store, ExternalReferenceStore References, IncludeLoader Includes, Transitions Transitions,
        IOptions<XrefOptions> Options);

    /// <summary>
    /// <c>include=external_references</c> on a read includes at most this many references (a report usually has one
    /// per service): past it the read is refused rather than silently cut, so a client asks for fewer reports per
    /// page. A write's response is not refused (the write has happened); it holds one report's references.
    /// </summary>
    public const int MaxIncludedReferences = 1000;

    private static readonly SubjectType User = SubjectTypes.Find("User")!;
    private static readonly SubjectType Workspace = SubjectTypes.Find("Workspace")!;

    /// <summary>The includes of seed 004 that name subjects; <c>external_references</c> is read in <see cref="RespondAsync"/>.</summary>
    private static readonly Include<StatusReport>[] Offered =
    [
        new("creator", "users", r => (User, r.CreatorId)),
        new("updater", "users", r => (User, r.UpdaterId)),
        new("workspace", "workspaces", r => (Workspace, r.WorkspaceId)),
    ];

    public static RouteGroupBuilder MapStatusReports(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/status_reports").WithTags("Status Reports");
        group.MapGet("/", List).WithName("ListStatusReports").DescribeList();
        group.MapGet("/{id}", Show).WithName("GetStatusReport").DescribeShow();
        group.MapPost("/", Create).WithName("CreateStatusReport").DescribeCreate();
        group.MapPut("/{id}", Update).WithName("UpdateStatusReport").DescribeUpdate();
        group.MapDelete("/{id}", Delete).WithName("DeleteStatusReport").DescribeDelete();
        return group;
    }

    public static async Task<IResult> List(Caller caller, HttpRequest request, [AsParameters] Services services, CancellationToken ct)
    {
        var values = new QueryValues(request.Query);
        var query = StatusReportQuery.Parse(values);
        var (count, page) = await services.Store.ListAsync(caller.AccountId, query, ct);
        return await RespondAsync(caller, page, query.Page.Meta(count), IncludeSet.Parse(values["include"]), services, ct);
    }

    public static async Task<IResult> Show(string id, Caller caller, HttpRequest request, [AsParameters] Services services, CancellationToken ct)
    {
        var report = await services.Store.GetAsync(caller.AccountId, RecordId.ParseOrNotFound(id), ct) ?? throw ApiException.NotFound();
        return await RespondAsync(caller, [report], PageMeta.Single, IncludeSet.Parse(new QueryValues(request.Query)["include"]), services, ct);
    }

    public static async Task<IResult> Create(Caller caller, HttpRequest request, [AsParameters] Services services, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(request, services.Options.Value.MaxBodyBytes);
        var input = StatusReportInput.Parse(RequestBody.Wrapper(body, Wrapper), isCreate: true);
        var (report, reference) = await services.Store.CreateAsync(caller, input, ct);
        if (reference is not null) services.Transitions.Observe(reference, statusSent: input.Reference!.Status is not null);
        return await RespondAsync(caller, [report], PageMeta.Single, RequestBody.Includes(request, body), services, ct, isRead: false);
    }

    public static async Task<IResult> Update(string id, Caller caller, HttpRequest request, [AsParameters] Services services, CancellationToken ct)
    {
        var reportId = RecordId.ParseOrNotFound(id);
        var body = await RequestBody.ReadAsync(request, services.Options.Value.MaxBodyBytes);
        var input = StatusReportInput.Parse(RequestBody.Wrapper(body, Wrapper), isCreate: false);
        var (report, reference) = await services.Store.UpdateAsync(caller, reportId, input, ct) ?? throw ApiException.NotFound();
        if (reference is not null) services.Transitions.Observe(reference, statusSent: input.Reference!.Status is not null);
        return await RespondAsync(caller, [report], PageMeta.Single, RequestBody.Includes(request, body), services, ct, isRead: false);
    }

    public static async Task<IResult> Delete(string id, Caller caller, [AsParameters] Services services, CancellationToken ct)
    {
        if (!await services.Store.DeleteAsync(caller.AccountId, RecordId.ParseOrNotFound(id), ct)) throw ApiException.NotFound();
        return Results.NoContent();
    }

    /// <summary>The envelope with the includes of seed 004: creator, updater, workspace, external_references.</summary>
    private static async Task<IResult> RespondAsync(Caller caller, List<StatusReport> reports, PageMeta meta, IncludeSet includes,
        Services services, CancellationToken ct, bool isRead = true)
    {
        var included = await services.Includes.LoadAsync(caller.AccountId, reports, includes, Offered, ct);
        if (includes.Contains("external_references"))
        {
            included.Require(ExternalReference.CollectionKey);
            var limit = isRead ? MaxIncludedReferences + 1 : int.MaxValue;
            var references = reports.Count == 0 ? [] : await services.References.OfSubjectsAsync(
                caller.AccountId, StatusReportStore.ReportType, [.. reports.Select(r => r.Id)], limit, ct);
            if (references.Count > MaxIncludedReferences && isRead)
                throw ApiException.BadParameter("include", $"include=external_references would include more than {MaxIncludedReferences} references; " +
                    "ask for fewer reports per page (per_page) or use GET /external_references?subject_type=StatusReport.");
            foreach (var reference in references) included.Add(ExternalReference.CollectionKey, reference);
            var byReport = references.ToLookup(r => r.SubjectId, r => r.Id);
            for (var i = 0; i < reports.Count; i++)
                reports[i] = reports[i] with { ExternalReferenceIds = [.. byReport[reports[i].Id]] };
        }
        return new Envelope(StatusReport.CollectionKey, reports, meta, included);
    }
}
