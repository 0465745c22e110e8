using Xref.Subjects;
using Xref.Wire;

namespace Xref.Includes;

/// <summary>
/// Loads the included subjects of any resource's records: for each include asked for, the subjects the records
/// point to, type by type, from the store that owns each type (<see cref="ISubjectSource"/>), scoped to the account.
/// </summary>
public sealed class IncludeLoader(IEnumerable<ISubjectSource> sources)
{
    private readonly Dictionary<SubjectTable, ISubjectSource> byTable = sources.ToDictionary(s => s.Table);

    /// <summary>The included collections for <paramref name="requested"/>, in the order <paramref name="offered"/> lists them.</summary>
    public async Task<IncludedCollections> LoadAsync<T>(long accountId, IReadOnlyList<T> records, IncludeSet requested,
        IReadOnlyList<Include<T>> offered, CancellationToken ct)
    {
        var included = new IncludedCollections();
        if (!offered.Any(i => requested.Contains(i.Name))) return included;
        var wanted = offered.Where(i => requested.Contains(i.Name)).ToList();
        foreach (var include in wanted)
            if (include.CollectionKey is { } key) included.Require(key);
        var targets = wanted.SelectMany(i => records.Select(r => (Include: i, Target: i.Target(r))));
        foreach (var group in targets.GroupBy(t => t.Target.Type))
        {
            var type = group.Key;
            var ids = group.Select(t => t.Target.Id).Distinct().ToList();
            var keys = group.Select(t => t.Include.CollectionKey ?? type.CollectionKey).Distinct().ToList();
            foreach (var subject in await byTable[type.Table].FindAsync(accountId, type, ids, ct))
                foreach (var key in keys)
                    included.Add(key, subject);
        }
        return included;
    }
}
