namespace TrackerSync;

/// <summary>
/// The third-party system of the example: an issue tracker kept in memory. It refuses issues for archived projects
/// (any title in <see cref="ArchivedProjects"/>), as a real tracker refuses some requests, so that some syncs fail.
/// </summary>
public sealed class FakeTracker
{
    private readonly Dictionary<string, string> issues = [];

    /// <summary>Titles the tracker refuses, with the reason it gives.</summary>
    public HashSet<string> ArchivedProjects { get; } = [];

    /// <summary>The issues created, by key.</summary>
    public IReadOnlyDictionary<string, string> Issues => issues;

    /// <summary>Creates an issue and returns its key (<c>WEB-1</c>, <c>WEB-2</c>…), or throws <see cref="TrackerException"/>.</summary>
    public string CreateIssue(string title)
    {
        if (ArchivedProjects.Contains(title)) throw new TrackerException($"Project '{title}' is archived in the tracker; issues cannot be created.");
        var key = $"WEB-{issues.Count + 1}";
        issues[key] = title;
        return key;
    }

    /// <summary>The link a person follows to the issue.</summary>
    public static string Link(string key) => $"https://tracker.example/browse/{key}";
}

/// <summary>The tracker refused a request; the message says why.</summary>
public sealed class TrackerException(string message) : Exception(message);
