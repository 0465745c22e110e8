using System.Text.Json;
using System.Text.Json.Nodes;
using Xref.Storage;
using Xref.Wire;

namespace Xref.BulkData;

/// <summary>
/// One kind of record in an export file: its <c>type</c>, the table it restores (declared by the table's owning
/// store), and whether it is a credential, written only with <c>--include-tokens</c>. A line is the table's columns
/// in order after <c>type</c>: ids as strings and timestamps as ISO 8601, as the API writes them; JSON columns as JSON.
/// </summary>
public sealed record RecordType(string Name, string Plural, BulkTable Table, bool Credential = false)
{
    private int AccountIndex => Table.Columns.ToList().FindIndex(c => c.Name == Table.AccountColumn);

    /// <summary>The account a row belongs to (an account's own id for an account).</summary>
    public long AccountOf(object?[] values) => (long)values[AccountIndex]!;

    public void Write(Utf8JsonWriter json, object?[] values)
    {
        json.WriteString("type", Name);
        for (var i = 0; i < Table.Columns.Count; i++)
        {
            var column = Table.Columns[i];
            var value = values[i];
            if (value is null)
            {
                json.WriteNull(column.FileName);
                continue;
            }
            switch (column.Kind)
            {
                case ColumnKind.Id: json.WriteString(column.FileName, WireValues.Id((long)value)); break;
                case ColumnKind.Boolean: json.WriteBoolean(column.FileName, (bool)value); break;
                case ColumnKind.Timestamp: json.WriteTimestamp(column.FileName, (long)value); break;
                case ColumnKind.Integer: json.WriteNumber(column.FileName, (long)value); break;
                case ColumnKind.JsonArray or ColumnKind.JsonObject:
                    json.WritePropertyName(column.FileName);
                    json.WriteRawValue((string)value);
                    break;
                default: json.WriteString(column.FileName, (string)value); break;
            }
        }
    }

    /// <summary>The row a line describes, or null with the first problem found.</summary>
    public object?[]? Read(JsonObject line, out string? error)
    {
        var values = new object?[Table.Columns.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var column = Table.Columns[i];
            error = null;
            if (line[column.FileName] is null)
            {
                error = column.Nullable ? null : $"{column.FileName} is required.";
                if (error is not null) return null;
                continue;
            }
            values[i] = column.Kind switch
            {
                ColumnKind.Id => JsonLines.Id(line, column.FileName, out error),
                ColumnKind.Timestamp => JsonLines.Timestamp(line, column.FileName, out error),
                ColumnKind.Integer => line[column.FileName] is JsonValue n && n.TryGetValue<long>(out var number) ? number : Fail($"{column.FileName} must be an integer.", out error),
                ColumnKind.Boolean => line[column.FileName] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : Fail($"{column.FileName} must be true or false.", out error),
                ColumnKind.JsonArray => line[column.FileName] is JsonArray array ? array.ToJsonString() : Fail($"{column.FileName} must be a JSON array.", out error),
                ColumnKind.JsonObject => line[column.FileName] is JsonObject obj ? obj.ToJsonString() : Fail($"{column.FileName} must be a JSON object.", out error),
                _ => Text(column, line, out error),
            };
            if (error is null && column.Check is { } check && values[i] is string json) error = check(json);
            if (error is not null) return null;
        }
        error = null;
        return values;
    }

    private static string? Text(BulkColumn column, JsonObject line, out string? error)
    {
        var text = JsonLines.String(line, column.FileName);
        error = text is null ? $"{column.FileName} must be a string."
            // PostgreSQL cannot store NUL in text, as the API says (422) for the same character.
            : text.Contains('\0') ? $"{column.FileName} must not contain NUL (\\u0000)."
            : column.Allowed is { } allowed && !allowed.Contains(text) ? $"{column.FileName} must be one of {string.Join(", ", allowed)}, not \"{text}\"."
            : null;
        return error is null ? text : null;
    }

    private static object? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }
}
