namespace Xref.Accounts;

/// <summary>A Kantata account: the unit every query is scoped to.</summary>
public sealed record Account(long Id, string Name, bool AutoSubjects, long CreatedAt);
