using System.Data.Common;
using System.Text.Json;
using Xref.Wire;

namespace Xref.ExternalReferences;

/// <summary>An external reference as stored, and as wire contract §5 renders it.</summary>
public sealed record ExternalReference(
    long Id, long AccountId, string SubjectType, long SubjectId, string ServiceName, string ServiceModel,
    string ServiceModelRef, string Status, string? ExternalLink, string? ExternalStatus, string? ExternalMessage,
    bool Locked, long CreatedAt, long UpdatedAt, long LastSyncedAt) : IWireRecord
{
    public const string CollectionKey = "external_references";

    /// <summary>The column list every query selects, in the order <see cref="Read"/> expects.</summary>
    public const string Columns =
        "id, account_id, subject_type, subject_id, service_name, service_model, service_model_ref, status, " +
        "external_link, external_status, external_message, locked, created_at, updated_at, last_synced_at";

    public const int ColumnCount = 15;

    /// <summary>Set when <c>include=subject</c> was asked: the subject's collection key for <c>subject_ref</c>.</summary>
    public string? SubjectKey { get; init; }

    public string WireId => WireValues.Id(Id);

    public static ExternalReference Read(DbDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.GetString(5), r.GetString(6),
        r.GetString(7), NullableString(r, 8), NullableString(r, 9), NullableString(r, 10), r.GetBoolean(11),
        r.GetInt64(12), r.GetInt64(13), r.GetInt64(14));

    private static string? NullableString(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        WriteFields(json);
        if (SubjectKey is not null)
        {
            json.WriteStartObject("subject_ref");
            json.WriteString("key", SubjectKey);
            json.WriteString("id", WireValues.Id(SubjectId));
            json.WriteEndObject();
        }
        json.WriteString("id", WireId);
        json.WriteEndObject();
    }

    /// <summary>The attributes without <c>id</c> and associations: shared by the API and <c>xref export</c>.</summary>
    public void WriteFields(Utf8JsonWriter json)
    {
        json.WriteString("subject_type", SubjectType);
        json.WriteNumber("subject_id", SubjectId);
        json.WriteString("service_name", ServiceName);
        json.WriteString("service_model", ServiceModel);
        json.WriteString("service_model_ref", ServiceModelRef);
        json.WriteString("status", Status);
        json.WriteStringOrNull("external_link", ExternalLink);
        json.WriteStringOrNull("external_status", ExternalStatus);
        json.WriteStringOrNull("external_message", ExternalMessage);
        json.WriteBoolean("locked", Locked);
        json.WriteTimestamp("last_synced_at", LastSyncedAt);
        json.WriteTimestamp("created_at", CreatedAt);
        json.WriteTimestamp("updated_at", UpdatedAt);
    }
}
