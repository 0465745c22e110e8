using Xref.Client;
using Xref.Testing;

await using var kantata = await XrefSandbox.StartAsync();
await kantata.Client.ExternalReferences.CreateOrUpdateAsync(new ExternalReferenceInput
{
    SubjectType = SubjectTypes.Workspace, SubjectId = 100, ServiceName = "jira", ServiceModel = "issue", ServiceModelRef = "WEB-1",
});
var page = await kantata.Client.ExternalReferences.ListAsync(new ExternalReferenceQuery(SubjectTypes.Workspace) { Include = ExternalReferenceIncludes.Subject });
Console.WriteLine($"{page.Count} {(page.Included.SubjectOf(page.Records[0]) as Workspace)?.Title}");
