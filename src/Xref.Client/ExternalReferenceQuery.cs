namespace Xref.Client;

/// <summary>Orders of <c>GET /external_references</c>; the default is <see cref="LastSyncedAtDesc"/>.</summary>
public enum ExternalReferenceOrder
{
    /// <summary><c>last_synced_at:desc</c>, the server's default.</summary>
    LastSyncedAtDesc,

    /// <summary><c>last_synced_at:asc</c>.</summary>
    LastSyncedAtAsc,

    /// <summary><c>created_at:asc</c>: new records go to the end, so a walk sees them (see <see cref="ExternalReferencesResource.ListAllAsync"/>).</summary>
    CreatedAtAsc,

    /// <summary><c>created_at:desc</c>.</summary>
    CreatedAtDesc,
}

/// <summary>What an external reference listing or write includes.</summary>
[Flags]
public enum ExternalReferenceIncludes
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary><c>subject</c>: each reference's <see cref="ExternalReference.SubjectRef"/>, and the subject in <see cref="Included"/>.</summary>
    Subject = 1,
}

/// <summary>
/// A query of <c>GET /external_references</c>: every filter, order, paging, <c>only</c> and <c>include</c> it takes.
/// Date bounds are exclusive; string filters match exactly.
/// </summary>
/// <param name="SubjectType">Required: one of <see cref="SubjectTypes"/>.</param>
public sealed record ExternalReferenceQuery(string SubjectType)
{
    /// <summary><c>subject_id</c>.</summary>
    public long? SubjectId { get; init; }

    /// <summary><c>service_name</c>.</summary>
    public string? ServiceName { get; init; }

    /// <summary><c>service_model</c>.</summary>
    public string? ServiceModel { get; init; }

    /// <summary><c>service_model_ref</c>.</summary>
    public string? ServiceModelRef { get; init; }

    /// <summary><c>status</c>.</summary>
    public SyncStatus? Status { get; init; }

    /// <summary><c>external_status</c>.</summary>
    public string? ExternalStatus { get; init; }

    /// <summary><c>external_message</c>.</summary>
    public string? ExternalMessage { get; init; }

    /// <summary><c>created_after</c>.</summary>
    public DateTimeOffset? CreatedAfter { get; init; }

    /// <summary><c>created_before</c>.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary><c>updated_after</c>.</summary>
    public DateTimeOffset? UpdatedAfter { get; init; }

    /// <summary><c>updated_before</c>.</summary>
    public DateTimeOffset? UpdatedBefore { get; init; }

    /// <summary><c>last_synced_after</c>.</summary>
    public DateTimeOffset? LastSyncedAfter { get; init; }

    /// <summary><c>last_synced_before</c>.</summary>
    public DateTimeOffset? LastSyncedBefore { get; init; }

    /// <summary><c>only</c>: just these ids (paging is off: all of them come in one page).</summary>
    public IReadOnlyList<long>? Only { get; init; }

    /// <summary><c>order</c> (null: the server's default, <c>last_synced_at:desc</c>).</summary>
    public ExternalReferenceOrder? Order { get; init; }

    /// <summary><c>page</c> (from 1).</summary>
    public int? Page { get; init; }

    /// <summary><c>per_page</c> (the server clamps it to 200; default 20).</summary>
    public int? PerPage { get; init; }

    /// <summary><c>limit</c>, with <see cref="Offset"/>: both override page and per_page.</summary>
    public int? Limit { get; init; }

    /// <summary><c>offset</c>, with <see cref="Limit"/>.</summary>
    public int? Offset { get; init; }

    /// <summary><c>include</c>.</summary>
    public ExternalReferenceIncludes Include { get; init; }

    internal string ToQueryString() => new QueryString()
        .Add("subject_type", SubjectType).Add("subject_id", SubjectId).Add("service_name", ServiceName)
        .Add("service_model", ServiceModel).Add("service_model_ref", ServiceModelRef).Add("status", Wire.Status(Status))
        .Add("external_status", ExternalStatus).Add("external_message", ExternalMessage)
        .Add("created_after", CreatedAfter).Add("created_before", CreatedBefore).Add("updated_after", UpdatedAfter)
        .Add("updated_before", UpdatedBefore).Add("last_synced_after", LastSyncedAfter).Add("last_synced_before", LastSyncedBefore)
        .Add("only", Only).Add("order", Wire.Order(Order)).AddPaging(Page, PerPage, Limit, Offset).Add("include", Wire.Include(Include))
        .ToString();
}
