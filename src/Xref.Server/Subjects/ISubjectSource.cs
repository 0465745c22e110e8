using Xref.Wire;

namespace Xref.Subjects;

/// <summary>
/// The store that owns the records of one <see cref="SubjectTable"/>: <see cref="SubjectStore"/> the generic
/// subjects, the account store users, the status report store status reports. Includes find any subject through
/// it without the subject folder knowing the others (no cycle between feature folders).
/// </summary>
public interface ISubjectSource
{
    SubjectTable Table { get; }

    /// <summary>The records of <paramref name="type"/> with these ids in the account, in id order, rendered for includes.</summary>
    Task<IReadOnlyList<IWireRecord>> FindAsync(long accountId, SubjectType type, IReadOnlyCollection<long> ids, CancellationToken ct);
}
