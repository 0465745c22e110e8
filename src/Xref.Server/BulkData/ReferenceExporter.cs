using System.Data.Common;
using Xref.ExternalReferences;
using Xref.Wire;

namespace Xref.BulkData;

/// <summary>
/// The external references of an export (of one account, or all), in id order, with <c>id</c>, <c>account_id</c>
/// and the three timestamps, so <c>xref import</c> restores them exactly. Version 1 files were these lines alone,
/// without <c>type</c>; the importer still reads them.
/// </summary>
public sealed class ReferenceExporter(ExternalReferenceStore references)
{
    public async Task<long> ExportAsync(DbConnection c, DbTransaction tx, JsonLinesWriter lines, long? accountId, CancellationToken ct)
    {
        long count = 0;
        await references.ExportAsync(c, tx, accountId, async r =>
        {
            await lines.WriteAsync(json =>
            {
                json.WriteString("type", ExportFormat.ReferenceType);
                json.WriteString("id", WireValues.Id(r.Id));
                json.WriteString("account_id", WireValues.Id(r.AccountId));
                r.WriteFields(json);
            }, ct);
            count++;
        }, ct);
        return count;
    }
}
