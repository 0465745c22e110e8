using System.Data.Common;
using System.Text.Json;
using Xref.Storage;
using Xref.Wire;

namespace Xref.ExternalReferences;

/// <summary>An external reference as stored, and as wire contract §5 renders it.</summary>
public sealed record ExternalReference(
    long Id, long AccountId, string SubjectType, long SubjectId, string ServiceName, string ServiceModel,
    string ServiceModelRef, string Status, string? ExternalLink, string? ExternalStatus, string? ExternalMessage,
    bool Locked, long CreatedAt, long UpdatedAt, long LastSyncedAt) : IWireRecord
{
    public const string CollectionKey = "external_references";

    /// <summary>The column list every query selects.</summary>
    public const string Columns =
        "id, account_id, subject_type, subject_id, service_name, service_model, service_model_ref, status, " +
        "external_link, external_status, external_message, locked, created_at, updated_at, last_synced_at";

    /// <summary>Set when <c>include=subject</c> was asked: the subject's collection key for <c>subject_ref</c>.</summary>
    public string? SubjectKey { get; init; }

    public string WireId => WireValues.Id(Id);

    /// <summary>Reads rows of <see cref="Columns"/>, the columns resolved by name once per result.</summary>
    public static Func<DbDataReader, ExternalReference> Reader(DbDataReader r)
    {
        int id = r.GetOrdinal("id"), account = r.GetOrdinal("account_id"), subjectType = r.GetOrdinal("subject_type"),
            subjectId = r.GetOrdinal("subject_id"), serviceName = r.GetOrdinal("service_name"), serviceModel = r.GetOrdinal("service_model"),
            serviceModelRef = r.GetOrdinal("service_model_ref"), status = r.GetOrdinal("status"), link = r.GetOrdinal("external_link"),
            externalStatus = r.GetOrdinal("external_status"), message = r.GetOrdinal("external_message"), locked = r.GetOrdinal("locked"),
            created = r.GetOrdinal("created_at"), updated = r.GetOrdinal("updated_at"), synced = r.GetOrdinal("last_synced_at");
        return r => new(r.GetInt64(id), r.GetInt64(account), r.GetString(subjectType), r.GetInt64(subjectId), r.GetString(serviceName),
            r.GetString(serviceModel), r.GetString(serviceModelRef), r.GetString(status), r.NullableString(link),
            r.NullableString(externalStatus), r.NullableString(message), r.GetBoolean(locked),
            r.GetInt64(created), r.GetInt64(updated), r.GetInt64(synced));
    }

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
