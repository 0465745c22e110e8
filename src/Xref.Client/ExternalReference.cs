using System.Text.Json.Serialization;

namespace Xref.Client;

/// <summary>The sync status of an external reference.</summary>
public enum SyncStatus
{
    /// <summary><c>pending</c>: not synced yet.</summary>
    [JsonStringEnumMemberName("pending")] Pending,

    /// <summary><c>successful</c>.</summary>
    [JsonStringEnumMemberName("successful")] Successful,

    /// <summary><c>failed</c>.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>An external reference: a Kantata object's counterpart in a third-party system.</summary>
public sealed class ExternalReference : KantataObject
{
    /// <summary>The Kantata object's type, one of <see cref="SubjectTypes"/>.</summary>
    public required string SubjectType { get; init; }

    /// <summary>The Kantata object's id.</summary>
    public long SubjectId { get; init; }

    /// <summary>The integration, such as <c>jira</c>; unique per subject.</summary>
    public required string ServiceName { get; init; }

    /// <summary>The external object's type.</summary>
    public string? ServiceModel { get; init; }

    /// <summary>The external object's id.</summary>
    public string? ServiceModelRef { get; init; }

    /// <summary>The sync status.</summary>
    public SyncStatus Status { get; init; }

    /// <summary>A link to the external object.</summary>
    public string? ExternalLink { get; init; }

    /// <summary>The external object's status in its own system.</summary>
    public string? ExternalStatus { get; init; }

    /// <summary>A message from the external system.</summary>
    public string? ExternalMessage { get; init; }

    /// <summary>Whether the reference is locked.</summary>
    public bool Locked { get; init; }

    /// <summary>When it was last written by create_or_update.</summary>
    public DateTimeOffset? LastSyncedAt { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The subject, with <c>include=subject</c>: look it up with <see cref="Included.Find"/>.</summary>
    public RecordRef? SubjectRef { get; init; }
}

/// <summary>
/// The body of <c>POST /external_references/create_or_update</c>. The five first properties are required; a property
/// left null is not sent, so an update leaves that field as it was.
/// </summary>
public sealed record ExternalReferenceInput
{
    /// <summary>The Kantata object's type, one of <see cref="SubjectTypes"/>.</summary>
    public required string SubjectType { get; init; }

    /// <summary>The Kantata object's id.</summary>
    public required long SubjectId { get; init; }

    /// <summary>The integration, such as <c>jira</c>: with the subject, the key that create_or_update matches on.</summary>
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
