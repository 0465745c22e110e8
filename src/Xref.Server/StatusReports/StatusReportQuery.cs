using Xref.Storage;
using Xref.Wire;

namespace Xref.StatusReports;

/// <summary>The filters, order and paging of <c>GET /status_reports</c> (contract §6).</summary>
public sealed record StatusReportQuery(QueryValues Values, OrderRequest Order, PageRequest Page, long[]? Only)
{
    public static readonly string[] OrderFields = ["created_at", "updated_at"];
    public static readonly OrderRequest DefaultOrder = new("updated_at", Descending: true);

    /// <summary>The <c>{name}_after</c>/<c>{name}_before</c> filters (also read by <see cref="StatusReportsOpenApi"/>).</summary>
    public static readonly string[] DateFilters = ["created", "updated"];

    /// <summary>The published <c>external_reference_*</c> filters and the column each matches (also read by the OpenAPI declaration).</summary>
    public static readonly (string Parameter, string Column)[] ReferenceFilters =
    [
        ("external_reference_service_name", "service_name"),
        ("external_reference_status", "status"),
        ("external_reference_service_model", "service_model"),
        ("external_reference_service_model_ref", "service_model_ref"),
        ("external_reference_external_status", "external_status"),
        ("external_reference_external_message", "external_message"),
    ];

    public const int MaxServiceModelRefs = 200;
    public const string ServiceModelRefs = "external_reference_service_model_refs";
    public const string HasReferences = "has_external_references";
    public const string WithoutServiceName = "without_external_reference_service_name";

    private const string ReferencesOfReport =
        "SELECT 1 FROM external_references er WHERE er.account_id = status_reports.account_id " +
        "AND er.subject_type = 'StatusReport' AND er.subject_id = status_reports.id";

    public static StatusReportQuery Parse(QueryValues query) => new(query,
        OrderRequest.Parse(query["order"], OrderFields, DefaultOrder), PageRequest.Parse(query), OnlyIds.Parse(query["only"]));

    public WhereClause Where(Database database, long accountId)
    {
        var where = new WhereClause(database, "status_reports.account_id", accountId).EqualId("workspace_id", Values["workspace_id"]);
        foreach (var (column, op, bound) in DateRangeFilters.Parse(Values, DateFilters))
            where.Compare(column, op, bound);
        where.InIds("id", Only);

        // Every external_reference_* filter applies to the same reference: "a report with a jira reference that failed".
        if (ReferenceFilters.Any(f => Values[f.Parameter] is { } v && WhereClause.CannotBeStored(v))) where.Nothing();
        var conditions = ReferenceFilters
            .Where(f => Values[f.Parameter] is { } v && !WhereClause.CannotBeStored(v))
            .Select(f => $"er.{f.Column} = {where.Parameter(Values[f.Parameter])}")
            .ToList();
        if (Values[ServiceModelRefs] is { } refs)
        {
            var list = refs.Split(',').Where(r => r.Length > 0 && !WhereClause.CannotBeStored(r)).Distinct().Take(MaxServiceModelRefs).ToList();
            conditions.Add(list.Count == 0 ? "1 = 0" : $"er.service_model_ref IN ({string.Join(", ", list.Select(r => where.Parameter(r)))})");
        }
        if (conditions.Count > 0) where.And($"EXISTS ({ReferencesOfReport} AND {string.Join(" AND ", conditions)})");

        switch (Values[HasReferences]?.ToLowerInvariant())
        {
            case "true": where.And($"EXISTS ({ReferencesOfReport})"); break;
            case "false": where.And($"NOT EXISTS ({ReferencesOfReport})"); break;
        }
        if (Values[WithoutServiceName] is { } without && !WhereClause.CannotBeStored(without))
            where.And($"NOT EXISTS ({ReferencesOfReport} AND er.service_name = {where.Parameter(without)})");
        return where;
    }
}
