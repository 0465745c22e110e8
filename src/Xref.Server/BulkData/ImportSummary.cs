namespace Xref.BulkData;

/// <summary>What an import did: counts, and the rejected lines with their reasons (the first 1,000 kept).</summary>
public sealed class ImportSummary
{
    public const int MaxListedRejections = 1000;

    public long Created { get; set; }
    public long Updated { get; set; }
    public long RejectedCount { get; private set; }
    public List<(long Line, string Reason)> Rejected { get; } = [];

    public void Reject(long line, string reason)
    {
        RejectedCount++;
        if (Rejected.Count < MaxListedRejections) Rejected.Add((line, reason));
    }
}
