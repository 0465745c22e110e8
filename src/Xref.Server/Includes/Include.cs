using Xref.Subjects;

namespace Xref.Includes;

/// <summary>
/// An include a resource offers (<c>include=creator</c>): the subjects each record points to, and the collection
/// they go under: a fixed key, created even when empty, or none for the polymorphic <c>subject</c> include, whose
/// subjects go under their own types' keys (wire contract §2).
/// </summary>
public sealed record Include<T>(string Name, string? CollectionKey, Func<T, (SubjectType Type, long Id)> Target);
