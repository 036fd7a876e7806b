namespace PSContainer.Module.Core;

/// <summary>
/// Splits a log line written with timestamps=1 ("2024-05-01T10:00:00.123456789Z hello") into its
/// time and text. A line whose prefix is not a timestamp is kept whole, with no time.
/// </summary>
public static class LogLineParser
{
    public static (DateTime? Time, string Text) Split(string line, bool hasTimestamp)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (!hasTimestamp)
        {
            return (null, line);
        }
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var stamp = space < 0 ? line : line[..space];
        if (stamp.Length < 20 || stamp[4] != '-' || stamp[10] != 'T')
        {
            return (null, line);
        }
        try
        {
            return (EngineTime.ParseRfc3339(stamp), space < 0 ? "" : line[(space + 1)..]);
        }
        catch (FormatException)
        {
            return (null, line);
        }
    }
}
