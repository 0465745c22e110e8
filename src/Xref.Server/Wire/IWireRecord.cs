using System.Text.Json;

namespace Xref.Wire;

/// <summary>A record that can appear in a Brainstem collection: it knows its id and writes its own fields.</summary>
public interface IWireRecord
{
    /// <summary>The id as the wire shows it (always a string).</summary>
    string WireId { get; }

    /// <summary>Writes the JSON object for this record, fields first and <c>id</c> last.</summary>
    void Write(Utf8JsonWriter json);
}
