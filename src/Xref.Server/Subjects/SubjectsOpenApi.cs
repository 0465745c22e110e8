using Microsoft.OpenApi;
using static Xref.Hosting.OpenApiParts;

namespace Xref.Subjects;

/// <summary>
/// The OpenAPI schemas of the subjects Xref returns as includes (contract §7), one per subject type under the type's
/// name, as Kantata's documents name them. Xref returns what a seed gave a subject, so besides the fixed fields below
/// a subject carries its seeded attributes as they were given (Kantata's other fields, when a seed sets them).
/// </summary>
public static class SubjectsOpenApi
{
    public static void AddSchemas(IDictionary<string, IOpenApiSchema> schemas)
    {
        schemas["User"] = Object(
            [
                ("full_name", NullableString("The user's full name.")),
                ("email_address", NullableString("The user's email address.")),
                ("headline", NullableString("A short description of the user.")),
                ("photo_path", NullableString("The URL of the user's photo.")),
                ("id", String("The user's id (user ids are global).")),
            ],
            required: ["full_name", "email_address", "headline", "photo_path", "id"], title: "User",
            description: "A user: the token's owner, or a report's creator or updater.");
        schemas["Workspace"] = Object(
            [
                ("title", AnyValue("The workspace's title (null when the seed gave none).")),
                ("description", AnyValue("Its description (null when the seed gave none).")),
                ("archived", AnyValue("Whether it is archived (false unless the seed says otherwise).")),
                ("created_at", Timestamp("When it was first seeded.")),
                ("updated_at", Timestamp("When a seed last changed it.")),
                ("creator_id", AnyValue("The id of its creator, as a string (null when the seed gave none).")),
                ("id", String("The workspace's id (ids are per account).")),
            ],
            required: ["title", "description", "archived", "created_at", "updated_at", "creator_id", "id"], closed: false, title: "Workspace",
            description: "A workspace (project), with any other attribute its seed gave it.");
        foreach (var type in SubjectTypes.All.Where(t => t.Table == SubjectTable.Subjects && t.Name != "Workspace"))
            schemas[type.Name] = Object(
                [
                    ("title", AnyValue("Its title as seeded; null when the seed gave neither a title nor a name.")),
                    ("name", AnyValue("Its name, when the seed gave one instead of a title.")),
                    ("created_at", Timestamp("When it was first seeded.")),
                    ("updated_at", Timestamp("When a seed last changed it.")),
                    ("id", String("Its id (ids are per account and type).")),
                ],
                required: ["created_at", "updated_at", "id"], closed: false, title: type.Name,
                description: $"A {type.Name} subject, with the attributes its seed gave it (a `*_id` attribute is a string).");
    }

    /// <summary>The subject collections <c>include=subject</c> can add to a response, each under its collection key.</summary>
    public static IEnumerable<(string Key, string Schema, string Include)> Collections(string include) =>
        SubjectTypes.All.Select(t => (t.CollectionKey, t.Name, include));
}
