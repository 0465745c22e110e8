using System.Globalization;

namespace Xref.Wire;

/// <summary>
/// Record ids as requests send them (a route segment, an <c>only=</c> token, an id filter): digits only, from 1
/// to 2^63-1. " 1", "+1", "1_000" or "0" name no record (long.TryParse alone would accept the first two).
/// </summary>
public static class RecordId
{
    public static bool TryParse(string? text, out long id)
    {
        id = 0;
        return text is { Length: > 0 } && text.All(char.IsAsciiDigit)
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;
    }

    /// <summary>The id in a route; anything else is the 404 an unknown id gets.</summary>
    public static long ParseOrNotFound(string text) => TryParse(text, out var id) ? id : throw ApiException.NotFound();
}
