using Xref.Storage;
using Xref.Subjects;
using Xref.Wire;

namespace Xref.ExternalReferences;

/// <summary>The filters, order and paging of <c>GET /external_references</c> (seed 002, contract §3 and §5).</summary>
public sealed record ExternalReferenceQuery(
    SubjectType SubjectType, QueryValues Values, IReadOnlyList<(string Column, string Op, long Bound)> Times,
    OrderRequest Order, PageRequest Page, long[]? Only)
{
    public static readonly string[] OrderFields = ["created_at", "last_synced_at"];
    public static readonly OrderRequest DefaultOrder = new("last_synced_at", Descending: true);

    /// <summary>The <c>{name}_after</c>/<c>{name}_before</c> filters (also read by <see cref="ExternalReferencesOpenApi"/>).</summary>
    public static readonly string[] DateFilters = ["created", "updated", "last_synced"];

    /// <summary>String filters, each an exact, case-sensitive match on the column of the same name (also read by the OpenAPI declaration).</summary>
    public static readonly string[] ExactFilters =
        ["service_name", "service_model", "service_model_ref", "status", "external_status", "external_message"];

    public static ExternalReferenceQuery Parse(QueryValues query)
    {
        var typeName = query["subject_type"]
            ?? throw ApiException.BadParameter("subject_type", $"subject_type is required; one of {SubjectTypes.NameList}.");
        var type = SubjectTypes.Find(typeName)
            ?? throw ApiException.BadParameter("subject_type", $"subject_type must be one of {SubjectTypes.NameList}, not \"{typeName}\".");
        // Date filters are parsed (and a bad one refused with 400) once, before anything touches the database.
        return new ExternalReferenceQuery(type, query, DateRangeFilters.Parse(query, DateFilters),
            OrderRequest.Parse(query["order"], OrderFields, DefaultOrder), PageRequest.Parse(query), OnlyIds.Parse(query["only"]));
    }

    /// <summary>
    /// True when the count can be read from the count tables (<c>reference_totals</c>, <c>reference_stats</c>): the only filters are subject_type,
    /// service_name and status (the listings sync jobs poll). Any other filter counts the rows themselves.
    /// </summary>
    public bool CountableFromStats => Only is null
        && Values["subject_id"] is null
        && ExactFilters.All(f => f is "service_name" or "status" || Values[f] is null)
        && Times.Count == 0;

    /// <summary>Identifies this listing (account, filters, order, page size) for the page cache.</summary>
    public string ListingKey(long accountId)
    {
        var key = new System.Text.StringBuilder().Append(accountId).Append('|').Append(SubjectType.Name);
        foreach (var name in (string[])["subject_id", .. ExactFilters])
            key.Append('|').Append(Values[name]?.Length ?? -1).Append(':').Append(Values[name]);
        foreach (var (column, op, bound) in Times)
            key.Append('|').Append(column).Append(op).Append(bound);
        return key.Append('|').Append(Order.Field).Append(Order.Descending ? ":desc" : ":asc").Append('|').Append(Page.PageSize).ToString();
    }

    /// <summary>The WHERE clause for the caller's account.</summary>
    public WhereClause Where(Database database, long accountId)
    {
        var where = new WhereClause(database, "account_id", accountId).Equal("subject_type", SubjectType.Name)
            .EqualId("subject_id", Values["subject_id"]);
        foreach (var column in ExactFilters) where.Equal(column, Values[column]);
        foreach (var (column, op, bound) in Times)
            where.Compare(column, op, bound);
        return where.InIds("id", Only);
    }
}
