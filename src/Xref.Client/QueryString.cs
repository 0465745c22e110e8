using System.Globalization;
using System.Text;

namespace Xref.Client;

/// <summary>Builds a query string from typed values; null values are left out.</summary>
internal sealed class QueryString
{
    private readonly StringBuilder text = new();

    public QueryString Add(string name, string? value)
    {
        if (value is null) return this;
        text.Append(text.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        return this;
    }

    public QueryString Add(string name, long? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));

    public QueryString Add(string name, bool? value) => Add(name, value is { } v ? v ? "true" : "false" : null);

    /// <summary>UTC, to the second when the value has no fraction (Kantata's ISO 8601 form), else with it.</summary>
    public QueryString Add(string name, DateTimeOffset? value) =>
        Add(name, value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));

    public QueryString Add(string name, IEnumerable<long>? ids) =>
        Add(name, ids is null ? null : string.Join(',', ids.Select(i => i.ToString(CultureInfo.InvariantCulture))));

    public QueryString Add(string name, IEnumerable<string>? values) => Add(name, values is null ? null : string.Join(',', values));

    /// <summary><c>page</c>, <c>per_page</c>, <c>limit</c>, <c>offset</c>.</summary>
    public QueryString AddPaging(int? page, int? perPage, int? limit, int? offset) =>
        Add("page", page).Add("per_page", perPage).Add("limit", limit).Add("offset", offset);

    public override string ToString() => text.ToString();
}
