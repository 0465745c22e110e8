using System.Text.Json.Nodes;
using Xref.Subjects;
using Xref.Wire;

namespace Xref.ExternalReferences;

/// <summary>
/// The attributes of a create_or_update (or of a status report's nested reference), validated.
/// Optional fields keep whether they were sent, because an update changes only the fields present.
/// </summary>
public sealed record ExternalReferenceInput(
    SubjectType SubjectType, long SubjectId, string ServiceName, string ServiceModel, string ServiceModelRef,
    string? Status, Optional<string?> ExternalLink, Optional<string?> ExternalStatus, Optional<string?> ExternalMessage,
    Optional<bool?> Locked)
{
    public static readonly IReadOnlyList<string> Statuses = ["pending", "successful", "failed"];

    public const int NameLength = 255;
    public const int LinkLength = 2048;
    public const int MessageLength = 65535;

    /// <summary>Reads a create_or_update wrapper; every failing field is reported at once.</summary>
    public static ExternalReferenceInput Parse(JsonObject attributes)
    {
        var fields = new FieldReader(attributes);
        var typeName = fields.RequiredString("subject_type", NameLength);
        var type = SubjectTypes.Find(typeName);
        if (typeName is not null && type is null)
            fields.Fail("subject_type", $"subject_type must be one of {SubjectTypes.NameList}, not \"{typeName}\".");
        var subjectId = fields.RequiredInteger("subject_id", 1, long.MaxValue);
        var input = ParseReferenceFields(fields, type!, subjectId ?? 0);
        if (fields.Errors.Count > 0) throw ApiException.Invalid(fields.Errors);
        return input!;
    }

    /// <summary>
    /// Reads the fields shared by create_or_update and a status report's nested reference, adding errors to
    /// <paramref name="fields"/>; the result is meaningful only when no error was added.
    /// </summary>
    public static ExternalReferenceInput? ParseReferenceFields(FieldReader fields, SubjectType subjectType, long subjectId)
    {
        var serviceName = fields.RequiredString("service_name", NameLength);
        var serviceModel = fields.RequiredString("service_model", NameLength);
        var serviceModelRef = fields.RequiredString("service_model_ref", NameLength);
        // Wire contract §8: a null or "" status is treated as absent.
        var status = fields.OneOf("status", Statuses);
        var link = fields.String("external_link", LinkLength);
        if (link.Value is { } url && ExternalLinkCheck.Problem(url) is { } problem)
            fields.Fail("external_link", problem);
        var externalStatus = fields.String("external_status", NameLength);
        var externalMessage = fields.String("external_message", MessageLength);
        var locked = fields.Boolean("locked");
        return serviceName is null || serviceModel is null || serviceModelRef is null
            ? null
            : new ExternalReferenceInput(subjectType, subjectId, serviceName, serviceModel, serviceModelRef,
                status.Value, link, externalStatus, externalMessage, locked);
    }
}
