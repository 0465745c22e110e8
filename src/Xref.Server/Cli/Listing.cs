using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Xref.Cli;

/// <summary>
/// How the list commands print: a table for people, or with <c>--json</c> a JSON array for scripts, its fields named
/// in snake_case as the API names them, ids as numbers, timestamps as the API writes them.
/// </summary>
public static class Listing
{
    public static Option<bool> JsonOption() => new("--json") { Description = "Write a JSON array (for scripts) instead of a table" };

    public static async Task WriteJsonAsync<T>(IEnumerable<T> rows, Action<Utf8JsonWriter, T> write)
    {
        await using var stdout = Console.OpenStandardOutput();
        // Not HTML: names and URIs are written as they are, not \u-escaped.
        await using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (var row in rows)
            {
                json.WriteStartObject();
                write(json, row);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        stdout.Write("\n"u8);
    }

    public static void WriteNumberOrNull(this Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v) json.WriteNumber(name, v);
        else json.WriteNull(name);
    }
}
