using System.Globalization;

namespace PSContainer.Module.Core;

/// <summary>
/// The short texts docker's tables show ("5 minutes ago", "4.26MB", "1.5MiB / 2GiB"), used by the
/// format and types files (as [PSContainer.Module.Core.HumanText]::Ago(...)) so the tables read
/// like docker ps while the objects keep real DateTime and byte values.
/// </summary>
public static class HumanText
{
    public static string Ago(DateTime time) => Ago(time, DateTime.Now);

    public static string Ago(DateTime time, DateTime now)
    {
        if (time == default)
        {
            return "";
        }
        return Duration(now - time) + " ago";
    }

    /// <summary>Docker's HumanDuration: coarse, friendly, never negative.</summary>
    public static string Duration(TimeSpan span)
    {
        var seconds = Math.Max(0, span.TotalSeconds);
        return seconds switch
        {
            < 1 => "Less than a second",
            < 2 => "1 second",
            < 60 => Whole(seconds, "seconds"),
            < 120 => "About a minute",
            < 3600 => Whole(seconds / 60, "minutes"),
            < 7200 => "About an hour",
            < 48 * 3600 => Whole(seconds / 3600, "hours"),
            < 14 * 86400 => Whole(seconds / 86400, "days"),
            < 60 * 86400 => Whole(seconds / (7 * 86400), "weeks"),
            < 730 * 86400 => Whole(seconds / (30 * 86400), "months"),
            _ => Whole(seconds / (365 * 86400), "years"),
        };
    }

    /// <summary>Decimal units with three significant digits, as docker images shows sizes ("4.26MB").</summary>
    public static string Size(long bytes)
    {
        if (bytes < 0)
        {
            return "N/A";
        }
        string[] units = ["B", "kB", "MB", "GB", "TB", "PB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return value.ToString("G3", CultureInfo.InvariantCulture) + units[unit];
    }

    /// <summary>Binary units, as docker stats shows memory ("1.5MiB").</summary>
    public static string BinarySize(ulong bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString(unit == 0 ? "0" : "0.##", CultureInfo.InvariantCulture) + units[unit];
    }

    /// <summary>Ports as docker ps lists them.</summary>
    public static string Ports(IEnumerable<ContainerPort> ports) =>
        string.Join(", ", (ports ?? throw new ArgumentNullException(nameof(ports))).Select(p => p.ToString()));

    private static string Whole(double value, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{(long)Math.Floor(value)} {unit}");
}
