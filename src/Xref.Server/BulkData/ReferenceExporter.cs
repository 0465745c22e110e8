using System.Text.Json;
using Xref.ExternalReferences;
using Xref.Wire;

namespace Xref.BulkData;

/// <summary>
/// <c>xref export</c>: every external reference (of one account, or all) as JSON Lines, in id order, with
/// <c>id</c>, <c>account_id</c> and the three timestamps, so <c>xref import</c> restores them exactly.
/// Streams rows; memory does not grow with the table.
/// </summary>
public sealed class ReferenceExporter(ExternalReferenceStore references)
{
    public async Task<long> ExportAsync(Stream output, long? accountId, CancellationToken ct)
    {
        await using var json = new Utf8JsonWriter(output);
        long count = 0;
        await references.ExportAsync(accountId, async r =>
        {
            json.Reset(output);
            json.WriteStartObject();
            json.WriteString("id", WireValues.Id(r.Id));
            json.WriteString("account_id", WireValues.Id(r.AccountId));
            r.WriteFields(json);
            json.WriteEndObject();
            await json.FlushAsync(ct);
            output.WriteByte((byte)'\n');
            count++;
        }, ct);
        await output.FlushAsync(ct);
        return count;
    }
}
