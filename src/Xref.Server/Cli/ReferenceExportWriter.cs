using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Xref.Client;

namespace Xref.Cli;

/// <summary>
/// Writes external references as JSON Lines (the client's JSON of each record) or CSV (RFC 4180, by CsvHelper). The
/// CSV is meant for spreadsheets, and its messages come from third-party systems: a field that would run as a formula
/// gets a leading <c>'</c>.
/// </summary>
public sealed class ReferenceExportWriter : IAsyncDisposable
{
    private static readonly string[] Columns = ["id", "subject_type", "subject_id", "service_name", "service_model", "service_model_ref", "status",
        "external_link", "external_status", "external_message", "locked", "last_synced_at", "created_at", "updated_at"];

    private readonly StreamWriter? lines;
    private readonly CsvWriter? csv;

    public ReferenceExportWriter(Stream stream, bool asCsv)
    {
        if (!asCsv)
        {
            lines = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            return;
        }
        csv = CsvWriter.Create(stream, new CsvWriterOptions { Injection = CsvInjection.Escape }, leaveOpen: true);
        csv.WriteHeader(Columns);
    }

    public void Write(ExternalReference r)
    {
        if (lines is not null)
        {
            lines.WriteLine(JsonSerializer.Serialize(r, KantataJson.Default.ExternalReference));
            return;
        }
        static string Time(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";
        csv!.WriteRecord([r.Id.ToString(CultureInfo.InvariantCulture), r.SubjectType, r.SubjectId.ToString(CultureInfo.InvariantCulture), r.ServiceName,
            r.ServiceModel ?? "", r.ServiceModelRef ?? "", r.Status.ToString().ToLowerInvariant(), r.ExternalLink ?? "", r.ExternalStatus ?? "",
            r.ExternalMessage ?? "", r.Locked ? "true" : "false", Time(r.LastSyncedAt), Time(r.CreatedAt), Time(r.UpdatedAt)]);
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        if (csv is not null) await csv.FlushAsync(ct);
        if (lines is not null) await lines.FlushAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (csv is not null) await csv.DisposeAsync();
        if (lines is not null) await lines.DisposeAsync();
    }
}
