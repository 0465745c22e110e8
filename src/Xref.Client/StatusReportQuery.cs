namespace Xref.Client;

/// <summary>Orders of <c>GET /status_reports</c>; the default is <see cref="UpdatedAtDesc"/>.</summary>
public enum StatusReportOrder
{
    /// <summary><c>updated_at:desc</c>, the server's default.</summary>
    UpdatedAtDesc,

    /// <summary><c>updated_at:asc</c>.</summary>
    UpdatedAtAsc,

    /// <summary><c>created_at:asc</c>.</summary>
    CreatedAtAsc,

    /// <summary><c>created_at:desc</c>.</summary>
    CreatedAtDesc,
}

/// <summary>What a status report read or write includes.</summary>
[Flags]
public enum StatusReportIncludes
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary><c>creator</c> (under <c>users</c>).</summary>
    Creator = 1,

    /// <summary><c>updater</c> (under <c>users</c>).</summary>
    Updater = 2,

    /// <summary><c>workspace</c> (under <c>workspaces</c>).</summary>
    Workspace = 4,

    /// <summary><c>external_references</c>, and <see cref="StatusReport.ExternalReferenceIds"/> on each report.</summary>
    ExternalReferences = 8,
}

/// <summary>A query of <c>GET /status_reports</c>: every filter, order, paging, <c>only</c> and <c>include</c> it takes.</summary>
public sealed record StatusReportQuery
{
    /// <summary><c>workspace_id</c>.</summary>
    public long? WorkspaceId { get; init; }

    /// <summary><c>created_after</c>.</summary>
    public DateTimeOffset? CreatedAfter { get; init; }

    /// <summary><c>created_before</c>.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary><c>updated_after</c>.</summary>
    public DateTimeOffset? UpdatedAfter { get; init; }

    /// <summary><c>updated_before</c>.</summary>
    public DateTimeOffset? UpdatedBefore { get; init; }

    /// <summary><c>only</c>: just these ids (paging is off).</summary>
    public IReadOnlyList<long>? Only { get; init; }

    /// <summary><c>has_external_references</c>.</summary>
    public bool? HasExternalReferences { get; init; }

    /// <summary><c>without_external_reference_service_name</c>: reports with no reference of this service.</summary>
    public string? WithoutExternalReferenceServiceName { get; init; }

    /// <summary><c>external_reference_service_name</c>; the <c>ExternalReference*</c> filters all apply to one reference.</summary>
    public string? ExternalReferenceServiceName { get; init; }

    /// <summary><c>external_reference_status</c>.</summary>
    public SyncStatus? ExternalReferenceStatus { get; init; }

    /// <summary><c>external_reference_service_model</c>.</summary>
    public string? ExternalReferenceServiceModel { get; init; }

    /// <summary><c>external_reference_service_model_ref</c>.</summary>
    public string? ExternalReferenceServiceModelRef { get; init; }

    /// <summary><c>external_reference_service_model_refs</c> (up to 200).</summary>
    public IReadOnlyList<string>? ExternalReferenceServiceModelRefs { get; init; }

    /// <summary><c>external_reference_external_status</c>.</summary>
    public string? ExternalReferenceExternalStatus { get; init; }

    /// <summary><c>external_reference_external_message</c>.</summary>
    public string? ExternalReferenceExternalMessage { get; init; }

    /// <summary><c>order</c> (null: the server's default, <c>updated_at:desc</c>).</summary>
    public StatusReportOrder? Order { get; init; }

    /// <summary><c>page</c> (from 1).</summary>
    public int? Page { get; init; }

    /// <summary><c>per_page</c> (at most 200; default 20).</summary>
    public int? PerPage { get; init; }

    /// <summary><c>limit</c>, with <see cref="Offset"/>.</summary>
    public int? Limit { get; init; }

    /// <summary><c>offset</c>, with <see cref="Limit"/>.</summary>
    public int? Offset { get; init; }

    /// <summary><c>include</c>.</summary>
    public StatusReportIncludes Include { get; init; }

    internal string ToQueryString() => new QueryString()
        .Add("workspace_id", WorkspaceId).Add("created_after", CreatedAfter).Add("created_before", CreatedBefore)
        .Add("updated_after", UpdatedAfter).Add("updated_before", UpdatedBefore).Add("only", Only)
        .Add("has_external_references", HasExternalReferences)
        .Add("without_external_reference_service_name", WithoutExternalReferenceServiceName)
        .Add("external_reference_service_name", ExternalReferenceServiceName)
        .Add("external_reference_status", Wire.Status(ExternalReferenceStatus))
        .Add("external_reference_service_model", ExternalReferenceServiceModel)
        .Add("external_reference_service_model_ref", ExternalReferenceServiceModelRef)
        .Add("external_reference_service_model_refs", ExternalReferenceServiceModelRefs)
        .Add("external_reference_external_status", ExternalReferenceExternalStatus)
        .Add("external_reference_external_message", ExternalReferenceExternalMessage)
        .Add("order", Wire.Order(Order)).AddPaging(Page, PerPage, Limit, Offset).Add("include", Wire.Include(Include))
        .ToString();
}
