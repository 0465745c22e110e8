using System.Text.Json;
using System.Text.Json.Serialization;

namespace Xref.Client;

/// <summary>
/// The client's JSON for Kantata's records, generated at compile time (no reflection; trimming- and AOT-safe):
/// snake_case names, ids read from Brainstem's strings (written as numbers), enums as their wire names. Use it to
/// write records yourself: <c>JsonSerializer.Serialize(reference, KantataJson.Default.ExternalReference)</c>.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ExternalReference))]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(Subject))]
[JsonSerializable(typeof(Workspace))]
[JsonSerializable(typeof(User))]
[JsonSerializable(typeof(PageMeta))]
[JsonSerializable(typeof(RecordRef))]
[JsonSerializable(typeof(OAuthToken))]
[JsonSerializable(typeof(List<ExternalReference>))]
[JsonSerializable(typeof(List<StatusReport>))]
[JsonSerializable(typeof(Assignment))]
[JsonSerializable(typeof(BillingMilestone))]
[JsonSerializable(typeof(CustomField))]
[JsonSerializable(typeof(CustomFieldChoice))]
[JsonSerializable(typeof(CustomFieldSet))]
[JsonSerializable(typeof(CustomFieldValue))]
[JsonSerializable(typeof(Estimate))]
[JsonSerializable(typeof(EstimateScenario))]
[JsonSerializable(typeof(EstimateScenarioResource))]
[JsonSerializable(typeof(Expense))]
[JsonSerializable(typeof(ExpenseBudget))]
[JsonSerializable(typeof(Invoice))]
[JsonSerializable(typeof(Participation))]
[JsonSerializable(typeof(Post))]
[JsonSerializable(typeof(RateCard))]
[JsonSerializable(typeof(Role))]
[JsonSerializable(typeof(Skill))]
[JsonSerializable(typeof(Story))]
[JsonSerializable(typeof(StoryAllocationDay))]
[JsonSerializable(typeof(Submission))]
[JsonSerializable(typeof(SurveyAnswer))]
[JsonSerializable(typeof(SurveyQuestion))]
[JsonSerializable(typeof(SurveyResponse))]
[JsonSerializable(typeof(SurveyTemplate))]
[JsonSerializable(typeof(TimeEntry))]
[JsonSerializable(typeof(TimeOffEntry))]
[JsonSerializable(typeof(Vendor))]
[JsonSerializable(typeof(WorkspaceAllocation))]
[JsonSerializable(typeof(WorkspaceGroup))]
[JsonSerializable(typeof(WorkspaceResource))]
public sealed partial class KantataJson : JsonSerializerContext;

/// <summary>Included records, read as the type their collection key names.</summary>
internal static class CollectionReaders
{
    /// <summary>Reads a record of an included collection as the type its collection key names (a <see cref="Subject"/> for unknown keys).</summary>
    internal static KantataObject ReadRecord(string collectionKey, JsonElement element) =>
        (Readers.TryGetValue(collectionKey, out var read) ? read(element) : element.Deserialize(KantataJson.Default.Subject))
        ?? throw new JsonException($"{collectionKey}: a record is null.");

    private static readonly Dictionary<string, Func<JsonElement, KantataObject?>> Readers = new()
    {
        ["external_references"] = e => e.Deserialize(KantataJson.Default.ExternalReference),
        ["status_reports"] = e => e.Deserialize(KantataJson.Default.StatusReport),
        ["workspaces"] = e => e.Deserialize(KantataJson.Default.Workspace),
        ["users"] = e => e.Deserialize(KantataJson.Default.User),
        ["assignments"] = e => e.Deserialize(KantataJson.Default.Assignment),
        ["billing_milestones"] = e => e.Deserialize(KantataJson.Default.BillingMilestone),
        ["custom_fields"] = e => e.Deserialize(KantataJson.Default.CustomField),
        ["custom_field_choices"] = e => e.Deserialize(KantataJson.Default.CustomFieldChoice),
        ["custom_field_sets"] = e => e.Deserialize(KantataJson.Default.CustomFieldSet),
        ["custom_field_values"] = e => e.Deserialize(KantataJson.Default.CustomFieldValue),
        ["estimates"] = e => e.Deserialize(KantataJson.Default.Estimate),
        ["estimate_scenarios"] = e => e.Deserialize(KantataJson.Default.EstimateScenario),
        ["estimate_scenario_resources"] = e => e.Deserialize(KantataJson.Default.EstimateScenarioResource),
        ["expenses"] = e => e.Deserialize(KantataJson.Default.Expense),
        ["expense_budgets"] = e => e.Deserialize(KantataJson.Default.ExpenseBudget),
        ["invoices"] = e => e.Deserialize(KantataJson.Default.Invoice),
        ["participations"] = e => e.Deserialize(KantataJson.Default.Participation),
        ["posts"] = e => e.Deserialize(KantataJson.Default.Post),
        ["rate_cards"] = e => e.Deserialize(KantataJson.Default.RateCard),
        ["roles"] = e => e.Deserialize(KantataJson.Default.Role),
        ["skills"] = e => e.Deserialize(KantataJson.Default.Skill),
        ["stories"] = e => e.Deserialize(KantataJson.Default.Story),
        ["story_allocation_days"] = e => e.Deserialize(KantataJson.Default.StoryAllocationDay),
        ["submissions"] = e => e.Deserialize(KantataJson.Default.Submission),
        ["survey_answers"] = e => e.Deserialize(KantataJson.Default.SurveyAnswer),
        ["survey_questions"] = e => e.Deserialize(KantataJson.Default.SurveyQuestion),
        ["survey_responses"] = e => e.Deserialize(KantataJson.Default.SurveyResponse),
        ["survey_templates"] = e => e.Deserialize(KantataJson.Default.SurveyTemplate),
        ["time_entries"] = e => e.Deserialize(KantataJson.Default.TimeEntry),
        ["time_off_entries"] = e => e.Deserialize(KantataJson.Default.TimeOffEntry),
        ["vendors"] = e => e.Deserialize(KantataJson.Default.Vendor),
        ["workspace_allocations"] = e => e.Deserialize(KantataJson.Default.WorkspaceAllocation),
        ["workspace_groups"] = e => e.Deserialize(KantataJson.Default.WorkspaceGroup),
        ["workspace_resources"] = e => e.Deserialize(KantataJson.Default.WorkspaceResource),
    };
}

/// <summary>
/// The client's own bodies (requests, errors), as <see cref="KantataJson"/> but leaving nulls out, so that an
/// update sends only the fields that were set.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(KantataErrorBody))]
[JsonSerializable(typeof(ExternalReferenceBody))]
[JsonSerializable(typeof(StatusReportBody))]
[JsonSerializable(typeof(OAuthErrorBody))]
internal sealed partial class BodyJson : JsonSerializerContext;

/// <summary><c>{"external_reference": {...}}</c>.</summary>
internal sealed record ExternalReferenceBody(ExternalReferenceInput ExternalReference);

/// <summary><c>{"status_report": {...}}</c>.</summary>
internal sealed record StatusReportBody(StatusReportInput StatusReport);
