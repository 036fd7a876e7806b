namespace PSContainer;

/// <summary>Helpers for Docker's ids: 64 hex digits, often with a "sha256:" prefix, shown as 12.</summary>
public static class Ids
{
    public static string StripAlgorithm(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 ? id[(colon + 1)..] : id;
    }

    public static string Short(string id)
    {
        var hex = StripAlgorithm(id ?? "");
        return hex.Length > 12 ? hex[..12] : hex;
    }

    public static bool LooksLikeIdPrefix(string value) =>
        !string.IsNullOrEmpty(value) && value.Length <= 64 && value.All(char.IsAsciiHexDigitLower);
}
