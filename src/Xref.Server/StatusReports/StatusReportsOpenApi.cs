using Microsoft.OpenApi;
using Xref.ExternalReferences;
using Xref.Hosting;
using static Xref.Hosting.OpenApiParts;

namespace Xref.StatusReports;

/// <summary>
/// What the OpenAPI document says about the Status Reports endpoints (contract §6). Filter names come from
/// <see cref="StatusReportQuery"/>, so the document lists exactly the filters the parser reads.
/// </summary>
public static class StatusReportsOpenApi
{
    public const string Tag = "Status Reports";
    public const string Schema = "StatusReport";
    public const string DetailSchema = "StatusReportDetail";
    public const string NestedReferenceSchema = "StatusReportExternalReference";
    public const string CreateBodySchema = "StatusReportCreateBody";
    public const string UpdateBodySchema = "StatusReportUpdateBody";
    public const string EnvelopeSchema = "StatusReportsResponse";

    private const string Includes = "`creator` and `updater` (under `users`), `workspace` (under `workspaces`), " +
        "`external_references` (under `external_references`, with `external_reference_ids` on each report).";

    /// <summary>What each <c>external_reference_*</c> filter of <see cref="StatusReportQuery.ReferenceFilters"/> matches.</summary>
    private static readonly Dictionary<string, string> ReferenceFilterMeanings = new()
    {
        ["external_reference_service_name"] = "Only reports with a reference of this integration (`service_name`).",
        ["external_reference_status"] = "Only reports with a reference of this sync status (`pending`, `successful`, `failed`).",
        ["external_reference_service_model"] = "Only reports with a reference to this external object type.",
        ["external_reference_service_model_ref"] = "Only reports with a reference to this external object id.",
        ["external_reference_external_status"] = "Only reports with a reference whose external object has this status.",
        ["external_reference_external_message"] = "Only reports with a reference with this external message.",
    };

    public static void AddSchemas(IDictionary<string, IOpenApiSchema> schemas)
    {
        schemas[DetailSchema] = OpenApiParts.Object(
            [
                ("category", Enum(StatusReportInput.Categories, "The aspect of the project; one detail per category.")),
                ("color", Enum(StatusReportInput.Colors, "Its status color.")),
                ("description", NullableString("Its description.", StatusReportInput.TextLength)),
            ],
            required: ["category", "color"], title: "Status Report detail");
        schemas[Schema] = OpenApiParts.Object(
            [
                ("color", Enum(StatusReportInput.Colors, "The overall status color.")),
                ("description", String("The overall status.")),
                ("details", ArrayOf(Ref(DetailSchema), "The category statuses, in the order they were given (`[]` when none).")),
                ("created_at", Timestamp("When the report was created.")),
                ("updated_at", Timestamp("When the report was last updated.")),
                ("workspace_id", String("The workspace (project) the report is about.")),
                ("creator_id", String("The user who created the report.")),
                ("updater_id", String("The user who last updated it.")),
                ("external_reference_ids", ArrayOf(String(), "Present with `include=external_references`: the ids of its references.")),
                ("id", String("The report's id.")),
            ],
            required: ["color", "description", "details", "created_at", "updated_at", "workspace_id", "creator_id", "updater_id", "id"],
            title: "Status Report", description: "A snapshot of a workspace's health (a Health Report in Kantata's UI).");
        schemas[NestedReferenceSchema] = OpenApiParts.Object([.. ExternalReferencesOpenApi.NestedFields()],
            required: ["service_name", "service_model", "service_model_ref"], closed: false, title: "Status Report external reference",
            description: "Upserted on (this report, service_name) as create_or_update does, in the same transaction as the report. " +
                "`subject_type` and `subject_id` are ignored: the subject is the report.");
        schemas[CreateBodySchema] = Body(create: true);
        schemas[UpdateBodySchema] = Body(create: false);
        schemas[EnvelopeSchema] = OpenApiParts.EnvelopeSchema(StatusReport.CollectionKey, Schema, "status reports",
        [
            (ExternalReference.CollectionKey, ExternalReferencesOpenApi.Schema, "external_references"),
            ("workspaces", "Workspace", "workspace"),
            ("users", "User", "creator` or `include=updater"),
        ]);
    }

    private static OpenApiSchema Body(bool create)
    {
        var attributes = OpenApiParts.Object(
            [
                ("workspace_id", String(create
                    ? "The workspace (project) to report on; a number or a string of digits. It must exist in your account."
                    : "Ignored: a report stays with its workspace.")),
                ("color", Enum(StatusReportInput.Colors, "The overall status color.")),
                ("description", String($"The overall status, up to {StatusReportInput.TextLength} characters.")),
                ("details", new OpenApiSchema
                {
                    Type = JsonSchemaType.Array | JsonSchemaType.Null, Items = Ref(DetailSchema), MaxItems = StatusReportInput.Categories.Count,
                    Description = create ? "Optional category statuses, one per category."
                        : "Replaces every detail when given (`[]` removes them); absent or null leaves them.",
                }),
                ("external_reference", Ref(NestedReferenceSchema)),
            ],
            required: create ? ["workspace_id", "color", "description"] : null, closed: false,
            title: create ? "Status Report to create" : "Status Report changes",
            description: create ? null : "Only the fields sent change.");
        return OpenApiParts.Object(
            [("status_report", attributes), ("include", String("As the `include` query parameter (which wins)."))],
            required: ["status_report"], closed: false, title: create ? "Create body" : "Update body");
    }

    public static RouteHandlerBuilder DescribeList(this RouteHandlerBuilder route) => route.AddOpenApiOperationTransformer((operation, _, _) =>
    {
        operation.Summary = "List status reports";
        operation.Description = "The reports of your account, filtered, ordered and paged. Every `external_reference_*` filter applies to the same " +
            "reference: `external_reference_service_name=jira&external_reference_status=failed` finds reports with a failed jira reference.";
        operation.Parameters =
        [
            Query("workspace_id", Integer(), "Only reports on this workspace."),
            .. DateRanges(StatusReportQuery.DateFilters.Select(n => (n, n)).ToArray()),
            Query(StatusReportQuery.HasReferences, new OpenApiSchema { Type = JsonSchemaType.Boolean },
                "`true`: only reports with at least one external reference; `false`: only reports with none."),
            Query(StatusReportQuery.WithoutServiceName, String(), "Only reports without a reference of this integration."),
            .. StatusReportQuery.ReferenceFilters.Select(f => Query(f.Parameter,
                f.Column == "status" ? Enum(ExternalReferenceInput.Statuses) : String(), ReferenceFilterMeanings[f.Parameter])),
            Query(StatusReportQuery.ServiceModelRefs, String(),
                $"Comma-separated external object ids: only reports with a reference to one of them (the first {StatusReportQuery.MaxServiceModelRefs} are used)."),
            Only(),
            Order(StatusReportQuery.OrderFields, StatusReportQuery.DefaultOrder),
            .. Paging(),
            Include(Includes),
        ];
        operation.Responses = new OpenApiResponses { ["200"] = Envelope(EnvelopeSchema, "The page of reports.") }.WithErrors([400, .. AnyRequest]);
        return Task.CompletedTask;
    });

    public static RouteHandlerBuilder DescribeShow(this RouteHandlerBuilder route) => route.AddOpenApiOperationTransformer((operation, _, _) =>
    {
        operation.Summary = "Get a status report";
        operation.Parameters = [PathId("status report"), Include(Includes)];
        operation.Responses = new OpenApiResponses { ["200"] = Envelope(EnvelopeSchema, "The report.") }.WithErrors([400, 404, .. AnyRequest]);
        return Task.CompletedTask;
    });

    public static RouteHandlerBuilder DescribeCreate(this RouteHandlerBuilder route) => route.AddOpenApiOperationTransformer((operation, _, _) =>
    {
        operation.Summary = "Create a status report";
        operation.Description = "Creates a report on a workspace of your account, with its details and, optionally, its external reference " +
            "(all written together, or nothing). The creator and updater are the token's user.";
        operation.Parameters = [Include(Includes)];
        operation.RequestBody = OpenApiParts.Body(CreateBodySchema, "status_report", "The report, in a `status_report` object.");
        operation.Responses = new OpenApiResponses { ["200"] = Envelope(EnvelopeSchema, "The report as stored.") }.WithErrors(AnyWrite);
        return Task.CompletedTask;
    });

    public static RouteHandlerBuilder DescribeUpdate(this RouteHandlerBuilder route) => route.AddOpenApiOperationTransformer((operation, _, _) =>
    {
        operation.Summary = "Update a status report";
        operation.Description = "Changes the fields sent. A nested `external_reference` with a `service_name` the report already has updates " +
            "that reference; another creates one. The updater becomes the token's user.";
        operation.Parameters = [PathId("status report"), Include(Includes)];
        operation.RequestBody = OpenApiParts.Body(UpdateBodySchema, "status_report", "The changes, in a `status_report` object.");
        operation.Responses = new OpenApiResponses { ["200"] = Envelope(EnvelopeSchema, "The report as stored.") }.WithErrors([404, .. AnyWrite]);
        return Task.CompletedTask;
    });

    public static RouteHandlerBuilder DescribeDelete(this RouteHandlerBuilder route) => route.AddOpenApiOperationTransformer((operation, _, _) =>
    {
        operation.Summary = "Delete a status report";
        operation.Description = "Deletes the report and its external references; deleting it again answers 404.";
        operation.Parameters = [PathId("status report")];
        operation.Responses = new OpenApiResponses { ["204"] = NoContent("Deleted; no body.") }.WithErrors([403, 404, .. AnyRequest]);
        return Task.CompletedTask;
    });
}
