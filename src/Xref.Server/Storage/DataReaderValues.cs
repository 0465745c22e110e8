using System.Data.Common;

namespace Xref.Storage;

/// <summary>Column values the two providers return differently (SQLite has no boolean type) or that may be NULL.</summary>
public static class DataReaderValues
{
    public static string? NullableString(this DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    /// <summary>A column read by name, for one-off reads (row readers resolve their ordinals once per result).</summary>
    public static long Int64(this DbDataReader r, string column) => r.GetInt64(r.GetOrdinal(column));

    public static long? NullableInt64(this DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetInt64(ordinal);
}
