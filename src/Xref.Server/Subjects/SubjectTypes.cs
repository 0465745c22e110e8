namespace Xref.Subjects;

/// <summary>Where a subject type's records are stored.</summary>
public enum SubjectTable { Subjects, Users, StatusReports }

/// <summary>A Kantata OX object type that can carry external references, and its Brainstem collection key.</summary>
public sealed record SubjectType(string Name, string CollectionKey, SubjectTable Table);

/// <summary>The 33 subject types of seeds 000–002 (case-sensitive, as the contract requires).</summary>
public static class SubjectTypes
{
    public static readonly IReadOnlyList<SubjectType> All =
    [
        new("Assignment", "assignments", SubjectTable.Subjects),
        new("BillingMilestone", "billing_milestones", SubjectTable.Subjects),
        new("CustomField", "custom_fields", SubjectTable.Subjects),
        new("CustomFieldChoice", "custom_field_choices", SubjectTable.Subjects),
        new("CustomFieldSet", "custom_field_sets", SubjectTable.Subjects),
        new("CustomFieldValue", "custom_field_values", SubjectTable.Subjects),
        new("Estimate", "estimates", SubjectTable.Subjects),
        new("EstimateScenario", "estimate_scenarios", SubjectTable.Subjects),
        new("EstimateScenarioResource", "estimate_scenario_resources", SubjectTable.Subjects),
        new("Expense", "expenses", SubjectTable.Subjects),
        new("ExpenseBudget", "expense_budgets", SubjectTable.Subjects),
        new("Invoice", "invoices", SubjectTable.Subjects),
        new("Participation", "participations", SubjectTable.Subjects),
        new("Post", "posts", SubjectTable.Subjects),
        new("RateCard", "rate_cards", SubjectTable.Subjects),
        new("Role", "roles", SubjectTable.Subjects),
        new("Skill", "skills", SubjectTable.Subjects),
        new("StatusReport", "status_reports", SubjectTable.StatusReports),
        new("Story", "stories", SubjectTable.Subjects),
        new("StoryAllocationDay", "story_allocation_days", SubjectTable.Subjects),
        new("Submission", "submissions", SubjectTable.Subjects),
        new("SurveyAnswer", "survey_answers", SubjectTable.Subjects),
        new("SurveyQuestion", "survey_questions", SubjectTable.Subjects),
        new("SurveyResponse", "survey_responses", SubjectTable.Subjects),
        new("SurveyTemplate", "survey_templates", SubjectTable.Subjects),
        new("TimeEntry", "time_entries", SubjectTable.Subjects),
        new("TimeOffEntry", "time_off_entries", SubjectTable.Subjects),
        new("User", "users", SubjectTable.Users),
        new("Vendor", "vendors", SubjectTable.Subjects),
        new("Workspace", "workspaces", SubjectTable.Subjects),
        new("WorkspaceAllocation", "workspace_allocations", SubjectTable.Subjects),
        new("WorkspaceGroup", "workspace_groups", SubjectTable.Subjects),
        new("WorkspaceResource", "workspace_resources", SubjectTable.Subjects),
    ];

    private static readonly Dictionary<string, SubjectType> ByName = All.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static readonly IReadOnlyList<string> Names = [.. All.Select(t => t.Name)];

    public static SubjectType? Find(string? name) => name is not null && ByName.TryGetValue(name, out var type) ? type : null;

    public static string NameList => string.Join(", ", Names);
}
