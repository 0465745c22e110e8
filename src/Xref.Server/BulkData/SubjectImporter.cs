using System.Text.Json.Nodes;
using Xref.Accounts;
using Xref.Subjects;
using Xref.Wire;

namespace Xref.BulkData;

/// <summary>
/// <c>xref import --subjects FILE</c>: Kantata objects from JSON Lines (<c>{"type": "Workspace", "id": 100,
/// "title": "..."}</c>), upserted by (type, id) into the account (ids are a namespace per account).
/// </summary>
public sealed class SubjectImporter(AccountStore accounts, SubjectStore subjects, TimeProvider clock)
{
    public async Task<ImportSummary> ImportAsync(TextReader reader, long? accountId, int batchSize, Action<long>? progress, CancellationToken ct)
    {
        var summary = new ImportSummary("subjects");
        var knownAccounts = new Dictionary<long, bool>();
        var batch = new List<ImportedSubject>(batchSize);
        await foreach (var (line, value, error) in JsonLines.ReadAsync(reader, progress, ct))
        {
            if (Parse(line, value, error, accountId, summary) is not { } row) continue;
            if (!knownAccounts.TryGetValue(row.AccountId, out var exists))
                knownAccounts[row.AccountId] = exists = await accounts.AccountExistsAsync(row.AccountId, ct);
            if (!exists)
            {
                summary.Reject(line, $"account {row.AccountId} does not exist; create it with `xref accounts create`.");
                continue;
            }
            batch.Add(row);
            if (batch.Count < batchSize) continue;
            await WriteAsync(batch, summary, ct);
            batch.Clear();
        }
        if (batch.Count > 0) await WriteAsync(batch, summary, ct);
        return summary;
    }

    private static ImportedSubject? Parse(long line, JsonObject? value, string? error, long? accountId, ImportSummary summary)
    {
        if (value is null)
        {
            summary.Reject(line, error!);
            return null;
        }
        var type = SubjectTypes.Find(value["type"] is JsonValue t && t.TryGetValue<string>(out var name) ? name : null);
        var id = JsonLines.Id(value, "id", out var idError);
        var account = accountId ?? JsonLines.Id(value, "account_id", out _);
        var problem = type is null ? $"type must be one of {SubjectTypes.NameList}."
            : type.Table != SubjectTable.Subjects ? $"{type.Name} cannot be imported as a subject."
            : id is null ? idError ?? "id is required."
            : account is null ? "account_id is missing; give it on the line or pass --account."
            : null;
        if (problem is not null)
        {
            summary.Reject(line, problem);
            return null;
        }
        var attributes = new JsonObject();
        foreach (var (key, node) in value)
            if (key is not ("type" or "id" or "account_id" or "created_at" or "updated_at"))
                attributes[key] = node?.DeepClone();
        return new ImportedSubject(line, account!.Value, type!.Name, id!.Value, attributes.ToJsonString());
    }

    private Task WriteAsync(List<ImportedSubject> batch, ImportSummary summary, CancellationToken ct) =>
        subjects.ImportAsync(batch, WireValues.Now(clock), _ => summary.AddCreated(), ct);
}
