using System.Text.Json.Serialization;

namespace Xref.Client;

/// <summary>A status report's colour, and the colour of each of its details.</summary>
public enum StatusColor
{
    /// <summary><c>green</c>.</summary>
    [JsonStringEnumMemberName("green")] Green,

    /// <summary><c>yellow</c>.</summary>
    [JsonStringEnumMemberName("yellow")] Yellow,

    /// <summary><c>red</c>.</summary>
    [JsonStringEnumMemberName("red")] Red,
}

/// <summary>The category of a status report detail; a report has at most one detail per category.</summary>
public enum StatusCategory
{
    /// <summary><c>Scope</c>.</summary>
    [JsonStringEnumMemberName("Scope")] Scope,

    /// <summary><c>Budget</c>.</summary>
    [JsonStringEnumMemberName("Budget")] Budget,

    /// <summary><c>Schedule</c>.</summary>
    [JsonStringEnumMemberName("Schedule")] Schedule,

    /// <summary><c>Client</c>.</summary>
    [JsonStringEnumMemberName("Client")] Client,
}

/// <summary>One category line of a status report.</summary>
/// <param name="Category">The category.</param>
/// <param name="Color">Its colour.</param>
/// <param name="Description">Optional text.</param>
public sealed record StatusDetail(StatusCategory Category, StatusColor Color, string? Description = null);

/// <summary>A workspace's status report.</summary>
public sealed class StatusReport : KantataObject
{
    /// <summary>The overall colour.</summary>
    public StatusColor Color { get; init; }

    /// <summary>The report's text.</summary>
    public string? Description { get; init; }

    /// <summary>The details, one per category, in the order they were sent.</summary>
    public IReadOnlyList<StatusDetail> Details { get; init; } = [];

    /// <summary>The workspace reported on.</summary>
    public long WorkspaceId { get; init; }

    /// <summary>The user who created it.</summary>
    public long? CreatorId { get; init; }

    /// <summary>The user who last changed it.</summary>
    public long? UpdaterId { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Its external references' ids, with <c>include=external_references</c>.</summary>
    public IReadOnlyList<long>? ExternalReferenceIds { get; init; }
}

/// <summary>
/// The body of <c>POST /status_reports</c> (<see cref="WorkspaceId"/>, <see cref="Color"/> and
/// <see cref="Description"/> required) and of <c>PUT /status_reports/{id}</c> (all optional; the workspace cannot
/// change). A property left null is not sent; <see cref="Details"/> given replaces all details (empty removes them).
/// </summary>
public sealed record StatusReportInput
{
    /// <summary>The workspace reported on (ignored on update).</summary>
    public long? WorkspaceId { get; init; }

    /// <summary>The overall colour.</summary>
    public StatusColor? Color { get; init; }

    /// <summary>The report's text.</summary>
    public string? Description { get; init; }

    /// <summary>The details, one per category.</summary>
    public IReadOnlyList<StatusDetail>? Details { get; init; }

    /// <summary>An external reference of the report, written in the same transaction (upserted by service name).</summary>
    public StatusReportReferenceInput? ExternalReference { get; init; }
}

/// <summary>The external reference nested in a status report's body: its subject is the report.</summary>
public sealed record StatusReportReferenceInput
{
    /// <summary>The integration, such as <c>jira</c>.</summary>
    public required string ServiceName { get; init; }

    /// <summary>The external object's type.</summary>
    public required string ServiceModel { get; init; }

    /// <summary>The external object's id.</summary>
    public required string ServiceModelRef { get; init; }

    /// <summary>The sync status (<c>pending</c> on create when null).</summary>
    public SyncStatus? Status { get; init; }

    /// <summary>A link to the external object.</summary>
    public string? ExternalLink { get; init; }

    /// <summary>The external object's status in its own system.</summary>
    public string? ExternalStatus { get; init; }

    /// <summary>A message from the external system.</summary>
    public string? ExternalMessage { get; init; }

    /// <summary>Whether the reference is locked.</summary>
    public bool? Locked { get; init; }
}
