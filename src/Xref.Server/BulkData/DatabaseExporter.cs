using Xref.ExternalReferences;
using Xref.Storage;

namespace Xref.BulkData;

/// <summary>
/// <c>xref export</c>: the whole database, or one account completely, in the format of <see cref="ExportFormat"/>,
/// read in one snapshot, so a server writing meanwhile cannot tear it. Token hashes and applications only when asked
/// (<c>--include-tokens</c>): the file then holds credentials' hashes, and a restore from it lets the same tokens in.
/// Streams rows; memory does not grow with the tables.
/// </summary>
public sealed class DatabaseExporter(Database database, ExternalReferenceStore references)
{
    /// <summary>Writes the export; returns how many records of each type, by plural ("accounts"), in file order.</summary>
    public async Task<List<(string What, long Count)>> ExportAsync(Stream output, long? accountId, bool includeTokens, CancellationToken ct)
    {
        var counts = new List<(string, long)>();
        await using (var lines = new JsonLinesWriter(output))
        {
            await database.ReadSnapshotAsync(async (c, tx) =>
            {
                var lastIds = new List<(string Table, long Last)>();
                foreach (var table in ExportFormat.IdentityTables) lastIds.Add((table, await database.LastIdAsync(c, tx, table, ct)));
                await lines.WriteAsync(json =>
                {
                    json.WriteString("type", ExportFormat.HeaderType);
                    json.WriteNumber("version", ExportFormat.Version);
                    json.WriteStartObject("last_ids");
                    foreach (var (table, last) in lastIds) json.WriteNumber(table, last);
                    json.WriteEndObject();
                }, ct);
                foreach (var type in ExportFormat.Records.Where(r => includeTokens || !r.Credential))
                {
                    long count = 0;
                    await type.Table.ExportAsync(database, c, tx, accountId, async values =>
                    {
                        await lines.WriteAsync(json => type.Write(json, values), ct);
                        count++;
                    }, ct);
                    counts.Add((type.Plural, count));
                }
                counts.Add(("references", await new ReferenceExporter(references).ExportAsync(c, tx, lines, accountId, ct)));
            }, ct);
        }
        await output.FlushAsync(ct);
        return counts;
    }
}
