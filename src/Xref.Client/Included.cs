namespace Xref.Client;

/// <summary>
/// The collections an <c>include</c> brought, keyed by collection key and id. Each record is of the type its
/// collection names: <c>workspaces</c> hold <see cref="Workspace"/>s, <c>stories</c> <see cref="Story"/>s, and a key
/// the client does not know holds plain <see cref="Subject"/>s.
/// </summary>
public sealed class Included
{
    private readonly Dictionary<string, Dictionary<long, KantataObject>> collections;

    internal Included(Dictionary<string, Dictionary<long, KantataObject>> collections) => this.collections = collections;

    /// <summary>The collection keys present, such as <c>workspaces</c>.</summary>
    public IReadOnlyCollection<string> CollectionKeys => collections.Keys;

    /// <summary>The records of one collection, by id (empty when absent).</summary>
    public IReadOnlyDictionary<long, T> Collection<T>(string key) where T : KantataObject =>
        collections.TryGetValue(key, out var items) ? items.ToDictionary(p => p.Key, p => (T)p.Value) : new Dictionary<long, T>();

    /// <summary>The record a reference names (<see cref="ExternalReference.SubjectRef"/>), or null when it was not included.</summary>
    public KantataObject? Find(RecordRef? reference) =>
        reference is not null && collections.TryGetValue(reference.Key, out var items) && items.TryGetValue(reference.Id, out var record) ? record : null;

    /// <summary>A record by collection key and id, as <typeparamref name="T"/>, or null when it was not included.</summary>
    public T? Find<T>(string key, long? id) where T : KantataObject =>
        id is { } value && collections.TryGetValue(key, out var items) && items.TryGetValue(value, out var record) ? (T)record : null;

    /// <summary>An external reference's subject (<c>include=subject</c>): a <see cref="Workspace"/>, a <see cref="Story"/>…</summary>
    public KantataObject? SubjectOf(ExternalReference reference) => Find(reference.SubjectRef);

    /// <summary>A status report's workspace (<c>include=workspace</c>).</summary>
    public Workspace? WorkspaceOf(StatusReport report) => Find<Workspace>("workspaces", report.WorkspaceId);

    /// <summary>A status report's creator (<c>include=creator</c>).</summary>
    public User? CreatorOf(StatusReport report) => Find<User>("users", report.CreatorId);

    /// <summary>A status report's last updater (<c>include=updater</c>).</summary>
    public User? UpdaterOf(StatusReport report) => Find<User>("users", report.UpdaterId);

    /// <summary>A status report's external references (<c>include=external_references</c>), in id order.</summary>
    public IReadOnlyList<ExternalReference> ExternalReferencesOf(StatusReport report) =>
        [.. (report.ExternalReferenceIds ?? []).Select(id => Find<ExternalReference>("external_references", id)).OfType<ExternalReference>()];
}
