namespace Xref.Tests.Infrastructure;

/// <summary>
/// Kantata's published OpenAPI documents, kept in the repository's <c>tests/reference/</c> (see its README), so the
/// tests that compare Xref with them need nothing outside the clone.
/// </summary>
public static class KantataReference
{
    public static string Folder { get; } = Find();

    public static string File(string name) => Path.Combine(Folder, name);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "reference");
            if (System.IO.File.Exists(Path.Combine(candidate, "kantata-external-references.openapi.yml"))) return candidate;
        }
        throw new DirectoryNotFoundException("tests/reference/ (Kantata's published documents) was not found above " + AppContext.BaseDirectory);
    }
}
