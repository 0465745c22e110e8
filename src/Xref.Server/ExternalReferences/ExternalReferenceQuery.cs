using Xref.Subjects;
using Xref.Wire;

namespace Xref.ExternalReferences;

/// <summary>The filters, order and paging of <c>GET /external_references</c> (seed 002, contract §3 and §5).</summary>
public sealed record ExternalReferenceQuery(
    SubjectType SubjectType, long? SubjectId, bool MatchNothing, IReadOnlyDictionary<string, string> Exact,
    IReadOnlyList<(string Column, string Op, long Value)> Times, long[]? Only, OrderRequest Order, PageRequest Page)
{
    public static readonly string[] OrderFields = ["created_at", "last_synced_at"];
    public static readonly OrderRequest DefaultOrder = new("last_synced_at", Descending: true);

    /// <summary>String filters, each an exact, case-sensitive match on the column of the same name.</summary>
    private static readonly string[] EqualityFilters =
        ["service_name", "service_model", "service_model_ref", "status", "external_status", "external_message"];

    private static readonly (string Parameter, string Column, string Op)[] TimeFilters =
    [
        ("created_after", "created_at", ">"), ("created_before", "created_at", "<"),
        ("updated_after", "updated_at", ">"), ("updated_before", "updated_at", "<"),
        ("last_synced_after", "last_synced_at", ">"), ("last_synced_before", "last_synced_at", "<"),
    ];

    public static ExternalReferenceQuery Parse(QueryValues query)
    {
        var typeName = query["subject_type"]
            ?? throw ApiException.BadParameter("subject_type", $"subject_type is required; one of {SubjectTypes.NameList}.");
        var type = SubjectTypes.Find(typeName)
            ?? throw ApiException.BadParameter("subject_type", $"subject_type must be one of {SubjectTypes.NameList}, not \"{typeName}\".");

        // Wire contract §8: a non-numeric subject_id matches nothing rather than failing.
        long? subjectId = null;
        var matchNothing = false;
        if (query["subject_id"] is { } rawSubject)
        {
            if (rawSubject.All(char.IsAsciiDigit) && long.TryParse(rawSubject, out var id)) subjectId = id;
            else matchNothing = true;
        }

        var equals = new Dictionary<string, string>();
        foreach (var name in EqualityFilters)
            if (query[name] is { } value) equals[name] = value;

        var times = new List<(string, string, long)>();
        foreach (var (parameter, column, op) in TimeFilters)
            if (query.Timestamp(parameter, isUpperBound: op == "<") is { } bound) times.Add((column, op, bound));

        return new ExternalReferenceQuery(type, subjectId, matchNothing, equals, times, OnlyIds.Parse(query["only"]),
            OrderRequest.Parse(query["order"], OrderFields, DefaultOrder), PageRequest.Parse(query));
    }
}
