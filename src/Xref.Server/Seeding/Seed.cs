using System.Text.Json;
using Xref.Auth;
using Xref.OAuth;
using Xref.Subjects;

namespace Xref.Seeding;

/// <summary>A seed file's problem, with the place it was found (file and JSON path).</summary>
public sealed class SeedException(string message, string? place = null) : Exception(message)
{
    /// <summary>The JSON path of the problem (<c>$.accounts[1].users[0]</c>), when it has one.</summary>
    public string? Place { get; } = place;
}

public sealed record SeedToken(string Token, string Scope);
public sealed record SeedUser(long Id, string? FullName, string? EmailAddress, string? Headline, string? PhotoPath, IReadOnlyList<SeedToken> Tokens);
public sealed record SeedSubject(string Type, long Id, string Attributes);
public sealed record SeedApplication(string ClientId, string ClientSecret, string Name, IReadOnlyList<string> RedirectUris);
public sealed record SeedAccount(long Id, string Name, bool AutoSubjects, IReadOnlyList<SeedUser> Users, IReadOnlyList<SeedSubject> Subjects,
    IReadOnlyList<SeedApplication> Applications);

/// <summary>
/// A parsed and fully validated seed file (see README "Seed file"). Parsing finds every structural
/// problem before anything is written, so a bad file changes nothing.
/// </summary>
public sealed record Seed(IReadOnlyList<SeedAccount> Accounts)
{
    public static Seed Parse(string json, string fileName)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new SeedException($"{fileName}: not valid JSON: {e.Message}");
        }
        using (doc)
        {
            var reader = new Reader(fileName);
            var root = doc.RootElement;
            var accounts = reader.Array(root, "accounts", "$", required: true)
                .Select((a, i) => reader.Account(a, $"$.accounts[{i}]")).ToList();
            CheckUnique(fileName, accounts.Select((a, i) => (Key: a.Id.ToString(), Place: $"$.accounts[{i}]")), "account id");
            CheckUnique(fileName, accounts.SelectMany((a, i) => a.Users.Select((u, j) => (Key: u.Id.ToString(), Place: $"$.accounts[{i}].users[{j}]"))), "user id");
            // Subject ids are a namespace per account (migration 008): the same id may appear once in each account.
            foreach (var (account, i) in accounts.Select((a, i) => (a, i)))
                CheckUnique(fileName, account.Subjects.Select(s => (Key: $"{s.Type} {s.Id}", Place: $"$.accounts[{i}].subjects.{s.Type}")), "subject",
                    "subject ids are per account, each may appear once in an account");
            CheckUnique(fileName, accounts.SelectMany((a, i) => a.Applications.Select((app, j) => (Key: app.ClientId, Place: $"$.accounts[{i}].applications[{j}]"))),
                "client_id", "a client_id names one application");
            var owners = new Dictionary<string, long>();
            foreach (var account in accounts)
                foreach (var user in account.Users)
                    foreach (var token in user.Tokens)
                        if (owners.TryGetValue(token.Token, out var owner) && owner != user.Id)
                            throw new SeedException($"{fileName}: user {user.Id}: a token is listed for users {owner} and {user.Id}; a token belongs to one user.");
                        else owners[token.Token] = user.Id;
            return new Seed(accounts);
        }
    }

    private static void CheckUnique(string fileName, IEnumerable<(string Key, string Place)> items, string what,
        string rule = "ids are global, each may appear once")
    {
        var seen = new Dictionary<string, string>();
        foreach (var (key, place) in items)
        {
            if (seen.TryGetValue(key, out var first))
                throw new SeedException($"{fileName}: {place}: duplicate {what} {key} (already given at {first}); {rule}.", place);
            seen[key] = place;
        }
    }

    private sealed class Reader(string fileName)
    {
        private SeedException Error(string place, string message) => new($"{fileName}: {place}: {message}", place);

        public IEnumerable<JsonElement> Array(JsonElement parent, string name, string place, bool required = false)
        {
            if (parent.ValueKind != JsonValueKind.Object) throw Error(place, "must be an object.");
            if (!parent.TryGetProperty(name, out var value))
                return required ? throw Error(place, $"'{name}' is missing.") : [];
            if (value.ValueKind != JsonValueKind.Array) throw Error($"{place}.{name}", "must be an array.");
            return value.EnumerateArray().ToList();
        }

        private long Id(JsonElement obj, string place)
        {
            if (obj.ValueKind != JsonValueKind.Object) throw Error(place, "must be an object.");
            if (!obj.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.Number || !id.TryGetInt64(out var value) || value < 1)
                throw Error(place, "'id' must be a positive integer.");
            return value;
        }

        private string? String(JsonElement obj, string name, string place, bool required = false)
        {
            if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
                return required ? throw Error(place, $"'{name}' is required.") : null;
            return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Error(place, $"'{name}' must be a string.");
        }

        public SeedAccount Account(JsonElement a, string place)
        {
            var id = Id(a, place);
            var name = String(a, "name", place, required: true)!;
            var autoSubjects = a.TryGetProperty("auto_subjects", out var auto) && auto.ValueKind == JsonValueKind.True;
            var users = Array(a, "users", place).Select((u, i) => User(u, $"{place}.users[{i}]")).ToList();
            var subjects = new List<SeedSubject>();
            if (a.TryGetProperty("subjects", out var byType))
            {
                if (byType.ValueKind != JsonValueKind.Object) throw Error($"{place}.subjects", "must be an object of type name → list of subjects.");
                foreach (var group in byType.EnumerateObject())
                {
                    var typePlace = $"{place}.subjects.{group.Name}";
                    var type = SubjectTypes.Find(group.Name)
                        ?? throw Error(typePlace, $"unknown subject type '{group.Name}'; one of {SubjectTypes.NameList}.");
                    if (type.Table != SubjectTable.Subjects)
                        throw Error(typePlace, $"{type.Name} cannot be seeded as a subject: " +
                            (type.Name == "User" ? "list users under 'users'." : "status reports are created through the API."));
                    subjects.AddRange(Array(byType, group.Name, $"{place}.subjects").Select((s, i) => Subject(type, s, $"{typePlace}[{i}]")));
                }
            }
            var applications = Array(a, "applications", place).Select((x, i) => Application(x, $"{place}.applications[{i}]")).ToList();
            return new SeedAccount(id, name, autoSubjects, users, subjects, applications);
        }

        /// <summary>An OAuth application with fixed credentials, so a CI run knows them.</summary>
        private SeedApplication Application(JsonElement x, string place)
        {
            if (x.ValueKind != JsonValueKind.Object) throw Error(place, "must be an object with 'client_id', 'client_secret', 'name' and 'redirect_uris'.");
            var clientId = String(x, "client_id", place, required: true)!;
            if (!Tokens.IsAcceptable(clientId)) throw Error(place, "'client_id' must be 1 to 256 printable ASCII characters without spaces.");
            var secret = String(x, "client_secret", place, required: true)!;
            if (!Tokens.IsAcceptable(secret)) throw Error(place, "'client_secret' must be 1 to 256 printable ASCII characters without spaces.");
            var name = String(x, "name", place, required: true)!;
            if (string.IsNullOrWhiteSpace(name) || name.Length > OAuthApplication.MaxNameLength || name.Contains('\0'))
                throw Error(place, $"'name' must be 1 to {OAuthApplication.MaxNameLength} characters, not blank, without NUL.");
            var uris = Array(x, "redirect_uris", place, required: true).Select((u, i) =>
            {
                var uriPlace = $"{place}.redirect_uris[{i}]";
                if (u.ValueKind != JsonValueKind.String) throw Error(uriPlace, "must be a string.");
                return RedirectUris.Problem(u.GetString()) is { } problem ? throw Error(uriPlace, problem + ".") : u.GetString()!;
            }).Distinct().ToList();
            if (uris.Count == 0) throw Error($"{place}.redirect_uris", "must list at least one callback URI.");
            return new SeedApplication(clientId, secret, name, uris);
        }

        private SeedUser User(JsonElement u, string place)
        {
            var tokens = Array(u, "tokens", place).Select((t, i) =>
            {
                var tokenPlace = $"{place}.tokens[{i}]";
                if (t.ValueKind != JsonValueKind.Object) throw Error(tokenPlace, "must be an object with 'token' and 'scope'.");
                var token = String(t, "token", tokenPlace, required: true)!;
                if (!Tokens.IsAcceptable(token)) throw Error(tokenPlace, "'token' must be 1 to 256 printable ASCII characters without spaces.");
                var scope = String(t, "scope", tokenPlace, required: true)!;
                if (scope is not ("read" or "write")) throw Error(tokenPlace, $"'scope' must be read or write, not '{scope}'.");
                return new SeedToken(token, scope);
            }).ToList();
            return new SeedUser(Id(u, place), String(u, "full_name", place), String(u, "email_address", place),
                String(u, "headline", place), String(u, "photo_path", place), tokens);
        }

        private SeedSubject Subject(SubjectType type, JsonElement s, string place)
        {
            var id = Id(s, place);
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                foreach (var property in s.EnumerateObject())
                    if (property.Name is not ("id" or "created_at" or "updated_at"))
                        property.WriteTo(json);
                json.WriteEndObject();
            }
            return new SeedSubject(type.Name, id, System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        }
    }
}
