using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;
using Xref.Auth;
using Xref.ExternalReferences;
using Xref.Hosting;
using Xref.Storage;
using Xref.Subjects;
using Xref.Wire;

namespace Xref.StatusReports;

/// <summary>The Status Reports endpoints (seed 004, contract §6), with their nested external reference.</summary>
public static class StatusReportsApi
{
    private const string Wrapper = "status_report";

    public static RouteGroupBuilder MapStatusReports(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/status_reports").WithTags("Status Reports");
        group.MapGet("/", List).WithName("ListStatusReports");
        group.MapGet("/{id}", Show).WithName("GetStatusReport");
        group.MapPost("/", Create).WithName("CreateStatusReport");
        group.MapPut("/{id}", Update).WithName("UpdateStatusReport");
        group.MapDelete("/{id}", Delete).WithName("DeleteStatusReport");
        return group;
    }

    public static async Task<IResult> List(HttpContext http, StatusReportStore store, Database database, SubjectStore subjects, CancellationToken ct)
    {
        var caller = TokenFilter.CallerOf(http);
        var values = new QueryValues(http.Request.Query);
        var query = StatusReportQuery.Parse(values);
        var (count, page) = await store.ListAsync(caller.AccountId, query, ct);
        return await RespondAsync(database, subjects, caller, page, query.Page.Meta(count), IncludeSet.Parse(values["include"]), ct);
    }

    public static async Task<IResult> Show(string id, HttpContext http, StatusReportStore store, Database database, SubjectStore subjects, CancellationToken ct)
    {
        var caller = TokenFilter.CallerOf(http);
        var report = await store.GetAsync(caller.AccountId, ParseId(id), ct) ?? throw ApiException.NotFound();
        return await RespondAsync(database, subjects, caller, [report], PageMeta.Single, IncludeSet.Parse(new QueryValues(http.Request.Query)["include"]), ct);
    }

    public static async Task<IResult> Create(HttpContext http, StatusReportStore store, Database database, SubjectStore subjects,
        IOptions<XrefOptions> options, CancellationToken ct)
    {
        var caller = TokenFilter.CallerOf(http);
        var body = await RequestBody.ReadAsync(http.Request, options.Value.MaxBodyBytes);
        var input = StatusReportInput.Parse(RequestBody.Wrapper(body, Wrapper), isCreate: true);
        var report = await store.CreateAsync(caller, input, ct);
        return await RespondAsync(database, subjects, caller, [report], PageMeta.Single, BodyIncludes(http, body), ct);
    }

    public static async Task<IResult> Update(string id, HttpContext http, StatusReportStore store, Database database, SubjectStore subjects,
        IOptions<XrefOptions> options, CancellationToken ct)
    {
        var caller = TokenFilter.CallerOf(http);
        var reportId = ParseId(id);
        var body = await RequestBody.ReadAsync(http.Request, options.Value.MaxBodyBytes);
        var input = StatusReportInput.Parse(RequestBody.Wrapper(body, Wrapper), isCreate: false);
        var report = await store.UpdateAsync(caller, reportId, input, ct) ?? throw ApiException.NotFound();
        return await RespondAsync(database, subjects, caller, [report], PageMeta.Single, BodyIncludes(http, body), ct);
    }

    public static async Task<IResult> Delete(string id, HttpContext http, StatusReportStore store, CancellationToken ct)
    {
        var caller = TokenFilter.CallerOf(http);
        if (!await store.DeleteAsync(caller.AccountId, ParseId(id), ct)) throw ApiException.NotFound();
        return Results.NoContent();
    }

    private static long ParseId(string id) => long.TryParse(id, System.Globalization.NumberStyles.None, null, out var value) ? value : throw ApiException.NotFound();

    private static IncludeSet BodyIncludes(HttpContext http, System.Text.Json.Nodes.JsonObject body) =>
        IncludeSet.Parse(new QueryValues(http.Request.Query)["include"], RequestBody.Include(body));

    /// <summary>The envelope with the includes of seed 004: creator, updater, workspace, external_references.</summary>
    private static async Task<IResult> RespondAsync(Database database, SubjectStore subjects, Caller caller, List<StatusReport> reports,
        PageMeta meta, IncludeSet includes, CancellationToken ct)
    {
        var included = new IncludedCollections();
        var wantUsers = includes.Contains("creator") || includes.Contains("updater");
        if (wantUsers) included.Require("users");
        if (includes.Contains("workspace")) included.Require("workspaces");
        if (includes.Contains("external_references")) included.Require(ExternalReference.CollectionKey);
        if (reports.Count > 0 && (wantUsers || includes.Contains("workspace") || includes.Contains("external_references")))
        {
            await using DbConnection c = await database.OpenAsync(ct);
            if (wantUsers)
            {
                var userIds = new HashSet<long>();
                if (includes.Contains("creator")) userIds.UnionWith(reports.Select(r => r.CreatorId));
                if (includes.Contains("updater")) userIds.UnionWith(reports.Select(r => r.UpdaterId));
                foreach (var user in await UserQueries.FindAsync(c, database.Dialect, caller.AccountId, userIds)) included.Add("users", user);
            }
            if (includes.Contains("workspace"))
                foreach (var workspace in await subjects.FindAsync(c, caller.AccountId, SubjectTypes.Find("Workspace")!, [.. reports.Select(r => r.WorkspaceId).Distinct()]))
                    included.Add("workspaces", workspace);
            if (includes.Contains("external_references"))
            {
                var where = new WhereClause(database.Dialect, "account_id", caller.AccountId)
                    .Equal("subject_type", "StatusReport").InIds("subject_id", [.. reports.Select(r => r.Id)]);
                var byReport = new Dictionary<long, List<long>>();
                await using var reader = await c.ExecuteReaderAsync(
                    $"SELECT {ExternalReference.Columns} FROM external_references WHERE {where} ORDER BY id", where.Parameters);
                while (await reader.ReadAsync(ct))
                {
                    var reference = ExternalReference.Read(reader);
                    included.Add(ExternalReference.CollectionKey, reference);
                    (byReport.TryGetValue(reference.SubjectId, out var ids) ? ids : byReport[reference.SubjectId] = []).Add(reference.Id);
                }
                for (var i = 0; i < reports.Count; i++)
                    reports[i] = reports[i] with { ExternalReferenceIds = byReport.GetValueOrDefault(reports[i].Id) ?? [] };
            }
        }
        return new Envelope(StatusReport.CollectionKey, reports, meta, included);
    }
}
