using System.Text.Json;
using Xref.ExternalReferences;
using Xref.Storage;
using Xref.Wire;

namespace Xref.BulkData;

/// <summary>
/// <c>xref export</c>: every external reference (of one account, or all) as JSON Lines, in id order, with
/// <c>id</c>, <c>account_id</c> and the three timestamps, so <c>xref import</c> restores them exactly.
/// Streams rows; memory does not grow with the table.
/// </summary>
public sealed class ReferenceExporter(Database database)
{
    public async Task<long> ExportAsync(Stream output, long? accountId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {ExternalReference.Columns} FROM external_references" +
            (accountId is null ? "" : " WHERE account_id = @account") + " ORDER BY id";
        if (accountId is { } account)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "account";
            parameter.Value = account;
            command.Parameters.Add(parameter);
        }
        await using var reader = await command.ExecuteReaderAsync(ct);
        await using var json = new Utf8JsonWriter(output);
        long count = 0;
        while (await reader.ReadAsync(ct))
        {
            var r = ExternalReference.Read(reader);
            json.Reset(output);
            json.WriteStartObject();
            json.WriteString("id", WireValues.Id(r.Id));
            json.WriteString("account_id", WireValues.Id(r.AccountId));
            r.WriteFields(json);
            json.WriteEndObject();
            await json.FlushAsync(ct);
            output.WriteByte((byte)'\n');
            count++;
        }
        await output.FlushAsync(ct);
        return count;
    }
}
