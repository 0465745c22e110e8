namespace Xref.ExternalReferences;

/// <summary><c>external_link</c> is rendered as a link, so scripts and control characters are refused (contract §5).</summary>
public static class ExternalLinkCheck
{
    private static readonly string[] DangerousSchemes = ["javascript:", "data:", "vbscript:"];

    public static string? Problem(string url)
    {
        if (url.Any(char.IsControl))
            return "external_link must not contain control characters (tabs, newlines, NUL...).";
        var start = url.TrimStart();
        foreach (var scheme in DangerousSchemes)
            if (start.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
                return $"external_link must not use the {scheme} scheme; use http(s) or an application deep link.";
        return null;
    }
}
