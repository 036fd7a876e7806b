using System.Globalization;

namespace PSContainer.Module.Core;

/// <summary>
/// Docker's timestamps: RFC 3339 with up to nine fractional digits (Go's RFC3339Nano), and Unix
/// seconds. .NET parses at most seven fractional digits, so extra digits are cut first. Go's zero
/// time (0001-01-01T00:00:00Z) means "never" and becomes null. Results are local time, as
/// PowerShell users read dates.
/// </summary>
public static class EngineTime
{
    public static DateTime? ParseRfc3339(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.StartsWith("0001-01-01", StringComparison.Ordinal))
        {
            return null;
        }
        var normalized = TrimFraction(text.Trim());
        if (!DateTimeOffset.TryParse(normalized, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value))
        {
            throw new FormatException($"'{text}' is not an RFC 3339 time.");
        }
        return value.LocalDateTime;
    }

    public static DateTime FromUnixSeconds(long seconds) =>
        DateTimeOffset.FromUnixTimeSeconds(seconds).LocalDateTime;

    public static DateTime FromUnixNanoseconds(long nanoseconds) =>
        DateTimeOffset.UnixEpoch.AddTicks(nanoseconds / 100).LocalDateTime;

    /// <summary>The form the API takes for since/until: Unix seconds with a fraction.</summary>
    public static string ToApiTimestamp(DateTime time)
    {
        var utc = time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Local).ToUniversalTime() : time.ToUniversalTime();
        var ticks = (utc - DateTime.UnixEpoch).Ticks;
        var seconds = ticks / TimeSpan.TicksPerSecond;
        var nanos = ticks % TimeSpan.TicksPerSecond * 100;
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.{nanos:D9}");
    }

    private static string TrimFraction(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return text;
        }
        var end = dot + 1;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }
        var digits = end - dot - 1;
        return digits <= 7 ? text : text[..(dot + 8)] + text[end..];
    }
}
