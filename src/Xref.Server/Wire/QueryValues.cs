using System.Globalization;
using System.Text.RegularExpressions;

namespace Xref.Wire;

/// <summary>
/// Query-string access with Brainstem's rules (wire contract §3): the last of repeated values wins,
/// and an empty or whitespace value counts as absent.
/// </summary>
public sealed partial class QueryValues(IQueryCollection query)
{
    public string? this[string name]
    {
        get
        {
            var values = query[name];
            var last = values.Count == 0 ? null : values[^1];
            return string.IsNullOrWhiteSpace(last) ? null : last;
        }
    }

    /// <summary>
    /// A datetime filter as Unix seconds, ready for an exclusive bound on whole-second timestamps:
    /// <c>after</c> compares <c>&gt; floor(t)</c>, <c>before</c> compares <c>&lt; ceil(t)</c>. Unparseable → 400.
    /// </summary>
    public long? Timestamp(string name, bool isUpperBound)
    {
        if (this[name] is not { } raw) return null;
        var match = DateTimePattern().Match(raw.Trim());
        if (!match.Success || !TryBuild(match, out var moment))
            throw ApiException.BadParameter(name,
                $"{name} must be an ISO 8601 datetime such as 2026-11-22T14:15:20Z (or with an offset like +02:00) or a date such as 2026-11-22, not \"{raw}\".");
        var seconds = moment.ToUnixTimeSeconds();
        var hasFraction = moment.Ticks % TimeSpan.TicksPerSecond != 0;
        return isUpperBound && hasFraction ? seconds + 1 : seconds;
    }

    private static bool TryBuild(Match m, out DateTimeOffset moment)
    {
        moment = default;
        try
        {
            var date = new DateTime(int.Parse(m.Groups["y"].Value), int.Parse(m.Groups["mo"].Value), int.Parse(m.Groups["d"].Value), 0, 0, 0, DateTimeKind.Utc);
            if (m.Groups["h"].Success)
            {
                date = date.AddHours(int.Parse(m.Groups["h"].Value)).AddMinutes(int.Parse(m.Groups["mi"].Value));
                if (int.Parse(m.Groups["h"].Value) > 23 || int.Parse(m.Groups["mi"].Value) > 59) return false;
                if (m.Groups["s"].Success)
                {
                    if (int.Parse(m.Groups["s"].Value) > 59) return false;
                    date = date.AddSeconds(int.Parse(m.Groups["s"].Value));
                }
                if (m.Groups["f"].Success)
                    date = date.AddTicks((long)(double.Parse("0." + m.Groups["f"].Value, CultureInfo.InvariantCulture) * TimeSpan.TicksPerSecond));
            }
            var offset = TimeSpan.Zero;
            if (m.Groups["oh"].Success)
            {
                var hours = int.Parse(m.Groups["oh"].Value);
                var minutes = int.Parse(m.Groups["om"].Value);
                if (hours > 18 || minutes > 59) return false;
                offset = new TimeSpan(hours, minutes, 0);
                // An unencoded '+' arrives as a space: read it as '+'.
                if (m.Groups["sign"].Value == "-") offset = -offset;
            }
            moment = new DateTimeOffset(DateTime.SpecifyKind(date, DateTimeKind.Unspecified), offset).ToUniversalTime();
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^(?<y>\d{4})-(?<mo>\d{2})-(?<d>\d{2})(?:T(?<h>\d{2}):(?<mi>\d{2})(?::(?<s>\d{2})(?:\.(?<f>\d{1,9}))?)?(?:Z|(?<sign>[+\- ])(?<oh>\d{2}):?(?<om>\d{2}))?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimePattern();
}
