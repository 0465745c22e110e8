using System.Data.Common;
using System.Text.Json;
using Xref.Storage;
using Xref.Wire;

namespace Xref.Accounts;

/// <summary>A user (wire contract §7), included as a subject or as a creator/updater.</summary>
public sealed record UserRecord(long Id, string? FullName, string? EmailAddress, string? Headline, string? PhotoPath) : IWireRecord
{
    public const string Columns = "id, full_name, email_address, headline, photo_path";

    public string WireId => WireValues.Id(Id);

    /// <summary>Reads rows of <see cref="Columns"/>, the columns resolved by name once per result.</summary>
    public static Func<DbDataReader, UserRecord> Reader(DbDataReader r)
    {
        int id = r.GetOrdinal("id"), fullName = r.GetOrdinal("full_name"), email = r.GetOrdinal("email_address"),
            headline = r.GetOrdinal("headline"), photo = r.GetOrdinal("photo_path");
        return r => new(r.GetInt64(id), r.NullableString(fullName), r.NullableString(email), r.NullableString(headline), r.NullableString(photo));
    }

    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteStringOrNull("full_name", FullName);
        json.WriteStringOrNull("email_address", EmailAddress);
        json.WriteStringOrNull("headline", Headline);
        json.WriteStringOrNull("photo_path", PhotoPath);
        json.WriteString("id", WireId);
        json.WriteEndObject();
    }
}
