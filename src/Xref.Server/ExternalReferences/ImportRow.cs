namespace Xref.ExternalReferences;

/// <summary>The upsert key of a reference: a batch of an import holds each at most once.</summary>
public readonly record struct ImportKey(long AccountId, string SubjectType, long SubjectId, string ServiceName);

/// <summary>
/// One valid line of <c>xref import</c>, ready to write: its account, attributes, timestamps and explicit id;
/// <paramref name="CreateSubject"/> when its account has auto_subjects, so a missing generic subject is created as create_or_update would.
/// </summary>
public sealed record ImportRow(long Line, long AccountId, ExternalReferenceInput Input, UpsertTimes Times, long? Id, bool CreateSubject = false)
{
    public ImportKey Key => new(AccountId, Input.SubjectType.Name, Input.SubjectId, Input.ServiceName);
}

/// <summary>What became of one line of an import.</summary>
public enum ImportOutcome { Created, Updated, SubjectNotInAccount, IdTaken }
