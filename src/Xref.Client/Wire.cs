namespace Xref.Client;

/// <summary>The wire names of the client's enums in query strings.</summary>
internal static class Wire
{
    public static string? Status(SyncStatus? status) => status switch
    {
        SyncStatus.Pending => "pending",
        SyncStatus.Successful => "successful",
        SyncStatus.Failed => "failed",
        _ => null,
    };

    public static string? Order(ExternalReferenceOrder? order) => order switch
    {
        ExternalReferenceOrder.LastSyncedAtDesc => "last_synced_at:desc",
        ExternalReferenceOrder.LastSyncedAtAsc => "last_synced_at:asc",
        ExternalReferenceOrder.CreatedAtAsc => "created_at:asc",
        ExternalReferenceOrder.CreatedAtDesc => "created_at:desc",
        _ => null,
    };

    public static string? Order(StatusReportOrder? order) => order switch
    {
        StatusReportOrder.UpdatedAtDesc => "updated_at:desc",
        StatusReportOrder.UpdatedAtAsc => "updated_at:asc",
        StatusReportOrder.CreatedAtAsc => "created_at:asc",
        StatusReportOrder.CreatedAtDesc => "created_at:desc",
        _ => null,
    };

    public static string? Include(ExternalReferenceIncludes include) => include.HasFlag(ExternalReferenceIncludes.Subject) ? "subject" : null;

    public static string? Include(StatusReportIncludes include)
    {
        var names = new List<string>();
        if (include.HasFlag(StatusReportIncludes.Creator)) names.Add("creator");
        if (include.HasFlag(StatusReportIncludes.Updater)) names.Add("updater");
        if (include.HasFlag(StatusReportIncludes.Workspace)) names.Add("workspace");
        if (include.HasFlag(StatusReportIncludes.ExternalReferences)) names.Add("external_references");
        return names.Count == 0 ? null : string.Join(',', names);
    }
}
