namespace Xref.Client;

/// <summary>
/// A Kantata object an external reference can point at, as an include returns it: <c>title</c> or <c>name</c>, the
/// timestamps, and every other field in <see cref="KantataObject.Attributes"/>. Each subject type has its own class
/// below (a <see cref="Story"/>, an <see cref="Invoice"/>…), so an include comes back as its type.
/// </summary>
public class Subject : KantataObject
{
    /// <summary>The title, for types that have one.</summary>
    public string? Title { get; init; }

    /// <summary>The name, for types that have one.</summary>
    public string? Name { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When it was last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>A workspace (a project).</summary>
public sealed class Workspace : Subject
{
    /// <summary>The workspace's description.</summary>
    public string? Description { get; init; }

    /// <summary>Whether it is archived.</summary>
    public bool? Archived { get; init; }

    /// <summary>The user who created it.</summary>
    public long? CreatorId { get; init; }
}

/// <summary>A user.</summary>
public sealed class User : KantataObject
{
    /// <summary>The user's full name.</summary>
    public string? FullName { get; init; }

    /// <summary>The user's email address.</summary>
    public string? EmailAddress { get; init; }

    /// <summary>The user's headline.</summary>
    public string? Headline { get; init; }

    /// <summary>The path of the user's photo.</summary>
    public string? PhotoPath { get; init; }
}

/// <summary>A Kantata <c>Assignment</c> (collection <c>assignments</c>).</summary>
public sealed class Assignment : Subject;

/// <summary>A Kantata <c>BillingMilestone</c> (collection <c>billing_milestones</c>).</summary>
public sealed class BillingMilestone : Subject;

/// <summary>A Kantata <c>CustomField</c> (collection <c>custom_fields</c>).</summary>
public sealed class CustomField : Subject;

/// <summary>A Kantata <c>CustomFieldChoice</c> (collection <c>custom_field_choices</c>).</summary>
public sealed class CustomFieldChoice : Subject;

/// <summary>A Kantata <c>CustomFieldSet</c> (collection <c>custom_field_sets</c>).</summary>
public sealed class CustomFieldSet : Subject;

/// <summary>A Kantata <c>CustomFieldValue</c> (collection <c>custom_field_values</c>).</summary>
public sealed class CustomFieldValue : Subject;

/// <summary>A Kantata <c>Estimate</c> (collection <c>estimates</c>).</summary>
public sealed class Estimate : Subject;

/// <summary>A Kantata <c>EstimateScenario</c> (collection <c>estimate_scenarios</c>).</summary>
public sealed class EstimateScenario : Subject;

/// <summary>A Kantata <c>EstimateScenarioResource</c> (collection <c>estimate_scenario_resources</c>).</summary>
public sealed class EstimateScenarioResource : Subject;

/// <summary>A Kantata <c>Expense</c> (collection <c>expenses</c>).</summary>
public sealed class Expense : Subject;

/// <summary>A Kantata <c>ExpenseBudget</c> (collection <c>expense_budgets</c>).</summary>
public sealed class ExpenseBudget : Subject;

/// <summary>A Kantata <c>Invoice</c> (collection <c>invoices</c>).</summary>
public sealed class Invoice : Subject;

/// <summary>A Kantata <c>Participation</c> (collection <c>participations</c>).</summary>
public sealed class Participation : Subject;

/// <summary>A Kantata <c>Post</c> (collection <c>posts</c>).</summary>
public sealed class Post : Subject;

/// <summary>A Kantata <c>RateCard</c> (collection <c>rate_cards</c>).</summary>
public sealed class RateCard : Subject;

/// <summary>A Kantata <c>Role</c> (collection <c>roles</c>).</summary>
public sealed class Role : Subject;

/// <summary>A Kantata <c>Skill</c> (collection <c>skills</c>).</summary>
public sealed class Skill : Subject;

/// <summary>A Kantata <c>Story</c> (collection <c>stories</c>).</summary>
public sealed class Story : Subject;

/// <summary>A Kantata <c>StoryAllocationDay</c> (collection <c>story_allocation_days</c>).</summary>
public sealed class StoryAllocationDay : Subject;

/// <summary>A Kantata <c>Submission</c> (collection <c>submissions</c>).</summary>
public sealed class Submission : Subject;

/// <summary>A Kantata <c>SurveyAnswer</c> (collection <c>survey_answers</c>).</summary>
public sealed class SurveyAnswer : Subject;

/// <summary>A Kantata <c>SurveyQuestion</c> (collection <c>survey_questions</c>).</summary>
public sealed class SurveyQuestion : Subject;

/// <summary>A Kantata <c>SurveyResponse</c> (collection <c>survey_responses</c>).</summary>
public sealed class SurveyResponse : Subject;

/// <summary>A Kantata <c>SurveyTemplate</c> (collection <c>survey_templates</c>).</summary>
public sealed class SurveyTemplate : Subject;

/// <summary>A Kantata <c>TimeEntry</c> (collection <c>time_entries</c>).</summary>
public sealed class TimeEntry : Subject;

/// <summary>A Kantata <c>TimeOffEntry</c> (collection <c>time_off_entries</c>).</summary>
public sealed class TimeOffEntry : Subject;

/// <summary>A Kantata <c>Vendor</c> (collection <c>vendors</c>).</summary>
public sealed class Vendor : Subject;

/// <summary>A Kantata <c>WorkspaceAllocation</c> (collection <c>workspace_allocations</c>).</summary>
public sealed class WorkspaceAllocation : Subject;

/// <summary>A Kantata <c>WorkspaceGroup</c> (collection <c>workspace_groups</c>).</summary>
public sealed class WorkspaceGroup : Subject;

/// <summary>A Kantata <c>WorkspaceResource</c> (collection <c>workspace_resources</c>).</summary>
public sealed class WorkspaceResource : Subject;

/// <summary>The 33 subject types an external reference can have, and their collection keys.</summary>
public static class SubjectTypes
{
    /// <summary><c>Assignment</c>.</summary>
    public const string Assignment = "Assignment";

    /// <summary><c>BillingMilestone</c>.</summary>
    public const string BillingMilestone = "BillingMilestone";

    /// <summary><c>CustomField</c>.</summary>
    public const string CustomField = "CustomField";

    /// <summary><c>CustomFieldChoice</c>.</summary>
    public const string CustomFieldChoice = "CustomFieldChoice";

    /// <summary><c>CustomFieldSet</c>.</summary>
    public const string CustomFieldSet = "CustomFieldSet";

    /// <summary><c>CustomFieldValue</c>.</summary>
    public const string CustomFieldValue = "CustomFieldValue";

    /// <summary><c>Estimate</c>.</summary>
    public const string Estimate = "Estimate";

    /// <summary><c>EstimateScenario</c>.</summary>
    public const string EstimateScenario = "EstimateScenario";

    /// <summary><c>EstimateScenarioResource</c>.</summary>
    public const string EstimateScenarioResource = "EstimateScenarioResource";

    /// <summary><c>Expense</c>.</summary>
    public const string Expense = "Expense";

    /// <summary><c>ExpenseBudget</c>.</summary>
    public const string ExpenseBudget = "ExpenseBudget";

    /// <summary><c>Invoice</c>.</summary>
    public const string Invoice = "Invoice";

    /// <summary><c>Participation</c>.</summary>
    public const string Participation = "Participation";

    /// <summary><c>Post</c>.</summary>
    public const string Post = "Post";

    /// <summary><c>RateCard</c>.</summary>
    public const string RateCard = "RateCard";

    /// <summary><c>Role</c>.</summary>
    public const string Role = "Role";

    /// <summary><c>Skill</c>.</summary>
    public const string Skill = "Skill";

    /// <summary><c>StatusReport</c>.</summary>
    public const string StatusReport = "StatusReport";

    /// <summary><c>Story</c>.</summary>
    public const string Story = "Story";

    /// <summary><c>StoryAllocationDay</c>.</summary>
    public const string StoryAllocationDay = "StoryAllocationDay";

    /// <summary><c>Submission</c>.</summary>
    public const string Submission = "Submission";

    /// <summary><c>SurveyAnswer</c>.</summary>
    public const string SurveyAnswer = "SurveyAnswer";

    /// <summary><c>SurveyQuestion</c>.</summary>
    public const string SurveyQuestion = "SurveyQuestion";

    /// <summary><c>SurveyResponse</c>.</summary>
    public const string SurveyResponse = "SurveyResponse";

    /// <summary><c>SurveyTemplate</c>.</summary>
    public const string SurveyTemplate = "SurveyTemplate";

    /// <summary><c>TimeEntry</c>.</summary>
    public const string TimeEntry = "TimeEntry";

    /// <summary><c>TimeOffEntry</c>.</summary>
    public const string TimeOffEntry = "TimeOffEntry";

    /// <summary><c>User</c>.</summary>
    public const string User = "User";

    /// <summary><c>Vendor</c>.</summary>
    public const string Vendor = "Vendor";

    /// <summary><c>Workspace</c>.</summary>
    public const string Workspace = "Workspace";

    /// <summary><c>WorkspaceAllocation</c>.</summary>
    public const string WorkspaceAllocation = "WorkspaceAllocation";

    /// <summary><c>WorkspaceGroup</c>.</summary>
    public const string WorkspaceGroup = "WorkspaceGroup";

    /// <summary><c>WorkspaceResource</c>.</summary>
    public const string WorkspaceResource = "WorkspaceResource";

    /// <summary>Every subject type, by its collection key (<c>stories</c> → <c>Story</c>).</summary>
    public static IReadOnlyDictionary<string, string> ByCollectionKey { get; } = new Dictionary<string, string>
    {
        ["assignments"] = Assignment,
        ["billing_milestones"] = BillingMilestone,
        ["custom_fields"] = CustomField,
        ["custom_field_choices"] = CustomFieldChoice,
        ["custom_field_sets"] = CustomFieldSet,
        ["custom_field_values"] = CustomFieldValue,
        ["estimates"] = Estimate,
        ["estimate_scenarios"] = EstimateScenario,
        ["estimate_scenario_resources"] = EstimateScenarioResource,
        ["expenses"] = Expense,
        ["expense_budgets"] = ExpenseBudget,
        ["invoices"] = Invoice,
        ["participations"] = Participation,
        ["posts"] = Post,
        ["rate_cards"] = RateCard,
        ["roles"] = Role,
        ["skills"] = Skill,
        ["status_reports"] = StatusReport,
        ["stories"] = Story,
        ["story_allocation_days"] = StoryAllocationDay,
        ["submissions"] = Submission,
        ["survey_answers"] = SurveyAnswer,
        ["survey_questions"] = SurveyQuestion,
        ["survey_responses"] = SurveyResponse,
        ["survey_templates"] = SurveyTemplate,
        ["time_entries"] = TimeEntry,
        ["time_off_entries"] = TimeOffEntry,
        ["users"] = User,
        ["vendors"] = Vendor,
        ["workspaces"] = Workspace,
        ["workspace_allocations"] = WorkspaceAllocation,
        ["workspace_groups"] = WorkspaceGroup,
        ["workspace_resources"] = WorkspaceResource,
    };

    /// <summary>Every subject type, alphabetically.</summary>
    public static IReadOnlyList<string> All { get; } = [.. ByCollectionKey.Values.Order(StringComparer.Ordinal)];

    /// <summary>The collection key of a subject type (<c>TimeOffEntry</c> → <c>time_off_entries</c>).</summary>
    public static string CollectionKey(string subjectType) =>
        ByCollectionKey.FirstOrDefault(p => p.Value == subjectType).Key
        ?? throw new ArgumentException($"'{subjectType}' is not a Kantata subject type; use one of {string.Join(", ", All)}.", nameof(subjectType));
}
