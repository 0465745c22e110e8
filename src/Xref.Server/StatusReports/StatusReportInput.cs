using System.Text.Json.Nodes;
using Xref.ExternalReferences;
using Xref.Subjects;
using Xref.Wire;

namespace Xref.StatusReports;

/// <summary>
/// The attributes of a status report create or update, read with the shared casting rules. Problems are
/// collected in <see cref="Errors"/> rather than thrown, so the store can add the workspace check and report
/// every failing field at once, inside the transaction that would have written them.
/// </summary>
public sealed record StatusReportInput(
    long? WorkspaceId, string? Color, string? Description, IReadOnlyList<StatusDetail>? Details,
    ExternalReferenceInput? Reference, List<ApiError> Errors)
{
    public static readonly IReadOnlyList<string> Colors = ["green", "yellow", "red"];
    public static readonly IReadOnlyList<string> Categories = ["Scope", "Budget", "Schedule", "Client"];
    public const int TextLength = 65535;

    private static readonly SubjectType ReportType = SubjectTypes.Find("StatusReport")!;

    /// <summary>Reads a <c>status_report</c> wrapper. On update every field is optional and <c>workspace_id</c> is ignored.</summary>
    public static StatusReportInput Parse(JsonObject attributes, bool isCreate)
    {
        var fields = new FieldReader(attributes);
        var workspaceId = isCreate ? fields.RequiredInteger("workspace_id", 1, long.MaxValue) : null;
        var color = isCreate || attributes.ContainsKey("color") ? fields.OneOf("color", Colors, required: true).Value : null;
        var description = isCreate || attributes.ContainsKey("description") ? fields.RequiredString("description", TextLength) : null;
        var details = ParseDetails(fields.Node("details", out _), fields);
        var reference = ParseReference(fields.Node("external_reference", out _), fields);
        return new StatusReportInput(workspaceId, color, description, details, reference, fields.Errors);
    }

    /// <summary>Absent or null: no change (none on create). An array replaces every detail; <c>[]</c> removes them.</summary>
    private static List<StatusDetail>? ParseDetails(JsonNode? node, FieldReader fields)
    {
        if (node is null) return null;
        if (node is not JsonArray items)
        {
            fields.Fail("details", "details must be an array of {category, color, description} objects.");
            return null;
        }
        // One detail per category: a longer list cannot be valid, so it is refused whole rather than item by item.
        if (items.Count > Categories.Count)
        {
            fields.Fail("details", $"details lists {items.Count} items; a report has at most {Categories.Count}, one per category ({string.Join(", ", Categories)}).");
            return null;
        }
        var details = new List<StatusDetail>();
        var seen = new Dictionary<string, int>();
        for (var i = 0; i < items.Count; i++)
        {
            var place = $"details[{i}]";
            if (items[i] is not JsonObject item)
            {
                fields.Errors.Add(ApiError.Validation(place, $"{place} must be an object with category, color and description."));
                continue;
            }
            var detail = new FieldReader(item, place + ".");
            var category = detail.OneOf("category", Categories, required: true).Value;
            var color = detail.OneOf("color", Colors, required: true).Value;
            var description = detail.String("description", TextLength).Value;
            if (category is not null && !seen.TryAdd(category, i))
                detail.Fail("category", $"{place}.category: {category} is already reported in details[{seen[category]}]; give one detail per category.");
            fields.Errors.AddRange(detail.Errors);
            if (category is not null && color is not null) details.Add(new StatusDetail(category, color, description));
        }
        return details;
    }

    /// <summary>
    /// The nested reference, validated as create_or_update validates one. Its subject is the report itself,
    /// so <c>subject_type</c> and <c>subject_id</c> inside it are ignored (contract §8).
    /// </summary>
    private static ExternalReferenceInput? ParseReference(JsonNode? node, FieldReader fields)
    {
        if (node is null) return null;
        if (node is not JsonObject attributes)
        {
            fields.Fail("external_reference", "external_reference must be an object with service_name, service_model and service_model_ref.");
            return null;
        }
        var nested = new FieldReader(attributes, "external_reference.");
        var reference = ExternalReferenceInput.ParseReferenceFields(nested, ReportType, subjectId: 0);
        fields.Errors.AddRange(nested.Errors);
        return reference;
    }
}
