using Microsoft.OpenApi;
using Xref.Hosting;
using Xref.Subjects;
using static Xref.Hosting.OpenApiParts;

namespace Xref.ExternalReferences;

/// <summary>
/// What the OpenAPI document says about the External References endpoints (contract §5). The filter names come from
/// <see cref="ExternalReferenceQuery"/>, so the document lists exactly the filters the parser reads.
/// </summary>
public static class ExternalReferencesOpenApi
{
    public const string Tag = "External References";
    public const string Schema = "ExternalReference";
    public const string InputSchema = "ExternalReferenceInput";
    public const string BodySchema = "ExternalReferenceBody";
    public const string EnvelopeSchema = "ExternalReferencesResponse";

    private const string IncludeSubject = "`subject`: the object each reference belongs to, under its type's collection key, and `subject_ref` on each reference.";

    /// <summary>What each exact-match filter of <see cref="ExternalReferenceQuery.ExactFilters"/> matches.</summary>
    private static readonly Dictionary<string, string> FilterMeanings = new()
    {
        ["service_name"] = "Only references of this integration (`service_name`), matched exactly.",
        ["service_model"] = "Only references to this external object type, matched exactly.",
        ["service_model_ref"] = "Only references to this external object id, matched exactly.",
        ["status"] = "Only references with this sync status.",
        ["external_status"] = "Only references whose external object has this status, matched exactly.",
        ["external_message"] = "Only references with this external message, matched exactly.",
    };

    public static void AddSchemas(IDictionary<string, IOpenApiSchema> schemas)
    {
        schemas[Schema] = OpenApiParts.Object(
            [
                ("subject_type", Enum(SubjectTypes.Names, "The type of the Kantata object the reference belongs to.")),
                ("subject_id", Integer("The id of that object (an integer, unlike other ids).")),
                ("service_name", String("The integration (provider) name; unique per object.")),
                ("service_model", String("The type of the external object.")),
                ("service_model_ref", String("The id of the external object.")),
                ("status", Enum(ExternalReferenceInput.Statuses, "The sync status.")),
                ("external_link", NullableString("A link to the external object or event.")),
                ("external_status", NullableString("The status of the external object in the external system.")),
                ("external_message", NullableString("A message about the external object.")),
                ("locked", Boolean("Whether the Kantata object should be locked against changes.")),
                ("last_synced_at", Timestamp("When the reference was last written (each create_or_update sets it).")),
                ("created_at", Timestamp("When the reference was created.")),
                ("updated_at", Timestamp("When the reference was last updated.")),
                ("subject_ref", OpenApiParts.Object([("key", String("The subject's collection key.")), ("id", String("The subject's id."))],
                    required: ["key", "id"], description: "Present with `include=subject`: where the subject is in this response.")),
                ("id", String("The reference's id.")),
            ],
            required: ["subject_type", "subject_id", "service_name", "service_model", "service_model_ref", "status", "external_link",
                "external_status", "external_message", "locked", "last_synced_at", "created_at", "updated_at", "id"],
            title: "External Reference", description: "A Kantata object's counterpart in a third-party system, and the state of their sync.");
        schemas[InputSchema] = OpenApiParts.Object(
            [
                ("subject_type", Enum(SubjectTypes.Names, "The type of the Kantata object.")),
                ("subject_id", Integer("The id of the Kantata object, from 1; a string of digits is accepted too. It must exist in your account.")),
                .. NestedFields(),
            ],
            required: ["subject_type", "subject_id", "service_name", "service_model", "service_model_ref"], closed: false,
            title: "External Reference attributes",
            description: "Matched on (subject_type, subject_id, service_name): creates the reference, or updates only the fields sent. " +
                "Other keys (`id`, timestamps) are ignored.");
        schemas[BodySchema] = OpenApiParts.Object(
            [("external_reference", Ref(InputSchema)), ("include", String("`subject`, as the `include` query parameter (which wins).")),],
            required: ["external_reference"], closed: false, title: "create_or_update body");
        schemas[EnvelopeSchema] = OpenApiParts.EnvelopeSchema(ExternalReference.CollectionKey, Schema, "external references",
            SubjectsOpenApi.Collections("subject"));
    }

    /// <summary>The attributes shared by create_or_update and a status report's nested <c>external_reference</c>.</summary>
    public static IEnumerable<(string, IOpenApiSchema)> NestedFields() =>
    [
        ("service_name", String($"The integration (provider) name, up to {ExternalReferenceInput.NameLength} characters; one reference per object and service_name.")),
        ("service_model", String($"The type of the external object, up to {ExternalReferenceInput.NameLength} characters.")),
        ("service_model_ref", String($"The id of the external object, up to {ExternalReferenceInput.NameLength} characters (numbers are stored as text).")),
        ("status", Enum(ExternalReferenceInput.Statuses, "The sync status; `pending` on create when absent, null or empty.", nullable: true)),
        ("external_link", NullableString($"A link to the external object, up to {ExternalReferenceInput.LinkLength} characters; " +
            "`javascript:`, `data:` and `vbscript:` links and control characters are refused. Null or empty clears it.", ExternalReferenceInput.LinkLength)),
        ("external_status", NullableString("The external object's status in its system. Null or empty clears it.", ExternalReferenceInput.NameLength)),
        ("external_message", NullableString("A message about the external object. Null or empty clears it.", ExternalReferenceInput.MessageLength)),
        ("locked", new OpenApiSchema { Type = JsonSchemaType.Boolean | JsonSchemaType.Null,
            Description = "Whether the Kantata object should be locked; false when absent or null. `true`/`false`, `1`/`0`, `t`/`f` are accepted in forms." }),
    ];

    public static RouteHandlerBuilder DescribeList(this RouteHandlerBuilder route) => route.AddOpenApiOperationTransformer((operation, _, _) =>
    {
        operation.Summary = "List external references";
        operation.Description = "The references of one subject type in your account, filtered, ordered and paged. " +
            "Filters combine; each string filter is an exact, case-sensitive match, and an empty value is no filter. " +
            "For incremental polling ask for `last_synced_after=<newest seen minus 1 s>&order=last_synced_at:asc` and drop ids already seen.";
        operation.Parameters =
        [
            Query("subject_type", Enum(SubjectTypes.Names), "The type of Kantata object whose references to list. Required.", required: true),
            Query("subject_id", Integer(), "Only references of this object."),
            .. ExternalReferenceQuery.ExactFilters.Select(name => Query(name,
                name == "status" ? Enum(ExternalReferenceInput.Statuses) : String(), FilterMeanings[name])),
            .. DateRanges(ExternalReferenceQuery.DateFilters.Select(n => (n, n.Replace('_', ' '))).ToArray()),
            Only(),
            Order(ExternalReferenceQuery.OrderFields, ExternalReferenceQuery.DefaultOrder),
            .. Paging(),
            Include(IncludeSubject),
        ];
        operation.Responses = new OpenApiResponses { ["200"] = Envelope(EnvelopeSchema, "The page of references.") }.WithErrors([400, .. AnyRequest]);
        return Task.CompletedTask;
    });

    public static RouteHandlerBuilder DescribeCreateOrUpdate(this RouteHandlerBuilder route) => route.AddOpenApiOperationTransformer((operation, _, _) =>
    {
        operation.Summary = "Create or update an external reference";
        operation.Description = "Creates the reference of (subject_type, subject_id, service_name), or updates the one that exists, " +
            "changing only the fields sent; `last_synced_at` and `updated_at` become now either way. Safe to retry. The object must exist in your account.";
        operation.Parameters = [Include(IncludeSubject)];
        operation.RequestBody = Body(BodySchema, "external_reference", "The reference, in an `external_reference` object.");
        operation.Responses = new OpenApiResponses { ["200"] = Envelope(EnvelopeSchema, "The reference as stored, created or updated.") }
            .WithErrors(AnyWrite);
        return Task.CompletedTask;
    });

    public static RouteHandlerBuilder DescribeDelete(this RouteHandlerBuilder route) => route.AddOpenApiOperationTransformer((operation, _, _) =>
    {
        operation.Summary = "Delete an external reference";
        operation.Description = "Deletes the reference; deleting it again answers 404.";
        operation.Parameters = [PathId("external reference")];
        operation.Responses = new OpenApiResponses { ["204"] = NoContent("Deleted; no body.") }.WithErrors([403, 404, .. AnyRequest]);
        return Task.CompletedTask;
    });
}
