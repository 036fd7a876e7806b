using System.Globalization;

namespace PSContainer.Engine.Api;

/// <summary>The API versions this engine speaks: Docker 27's 1.47 down to 1.24.</summary>
public static class ApiVersion
{
    public const string Current = "1.47";
    public const string Minimum = "1.24";

    /// <summary>Compares "1.41" and "1.9" numerically (minor parts are numbers, not decimals).</summary>
    public static int Compare(string a, string b)
    {
        var (aMajor, aMinor) = Parse(a);
        var (bMajor, bMinor) = Parse(b);
        return aMajor != bMajor ? aMajor.CompareTo(bMajor) : aMinor.CompareTo(bMinor);
    }

    public static bool TryParse(string text, out (int Major, int Minor) version)
    {
        version = default;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 ||
            !int.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var major) ||
            !int.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            return false;
        }
        version = (major, minor);
        return true;
    }

    private static (int, int) Parse(string text) =>
        TryParse(text, out var v) ? v : throw new FormatException($"invalid API version \"{text}\"");
}
