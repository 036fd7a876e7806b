using System.Globalization;
using PSContainer.Oci;

namespace PSContainer.Runc.Cgroups;

/// <summary>Conversions between OCI values and cgroup file contents, shared by both managers.</summary>
public static class CgroupValues
{
    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Format(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// cpu.shares (v1, 2..262144) → cpu.weight (v2, 1..10000) by mapping the two ranges linearly onto
    /// each other, the conversion runc and the kernel documentation use; 0 means "not set".
    /// </summary>
    public static ulong SharesToWeight(ulong shares) =>
        shares == 0 ? 0 : 1 + ((Math.Clamp(shares, 2, 262144) - 2) * 9999 / 262142);

    /// <summary>blkio.weight (10..1000) → io.weight (1..10000), linear like <see cref="SharesToWeight"/>; 0 means "not set".</summary>
    public static ulong BlkioWeightToIoWeight(ulong weight) =>
        weight == 0 ? 0 : 1 + ((Math.Clamp(weight, 10, 1000) - 10) * 9999 / 990);

    /// <summary>
    /// OCI memory.swap is memory+swap (v1's memsw); cgroup v2's memory.swap.max is swap alone.
    /// Returns the v2 value: null to leave it alone, -1 for "max", otherwise swap - limit.
    /// An unlimited memory limit with no swap setting means unlimited swap too (v1 behaves so).
    /// </summary>
    public static long? SwapToV2(long? swap, long? limit)
    {
        var memory = limit ?? 0;
        var memsw = swap ?? 0;
        if (memory == -1 && memsw == 0)
        {
            return -1;
        }
        if (memsw == -1)
        {
            return -1;
        }
        if (memsw == 0)
        {
            return null;
        }
        if (memory is 0 or -1)
        {
            throw new CgroupConfigException($"linux.resources.memory.swap {memsw}: a swap limit needs a memory limit");
        }
        if (memsw < memory)
        {
            throw new CgroupConfigException(
                $"linux.resources.memory.swap {memsw} is below memory.limit {memory}: swap is memory+swap and must be at least the limit");
        }
        return memsw - memory;
    }

    /// <summary>"max" for -1 (and other negatives), the number otherwise: v2 limit files.</summary>
    public static string MaxOr(long value) => value < 0 ? "max" : Format(value);

    /// <summary>Parses a counter file ("12345\n"); "max" reads as ulong.MaxValue.</summary>
    public static ulong ParseCounter(string text, string path)
    {
        var trimmed = text.Trim();
        if (trimmed == "max")
        {
            return ulong.MaxValue;
        }
        if (ulong.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        // v1 reports "unlimited" limits like -1 in some files (e.g. cpu.cfs_quota_us).
        if (long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var signed) && signed < 0)
        {
            return ulong.MaxValue;
        }
        throw new InvalidDataException($"{path}: expected a number, found \"{trimmed}\"");
    }

    /// <summary>"key value" lines (memory.stat, cpu.stat, memory.events) as a dictionary.</summary>
    public static Dictionary<string, ulong> ParseKeyValues(string text, string path)
    {
        var result = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2)
            {
                result[parts[0]] = ParseCounter(parts[1], path);
            }
        }
        return result;
    }

    /// <summary>Validates one device rule and formats it for v1 devices.allow/deny: "c 1:3 rwm", "a *:* rwm".</summary>
    public static string FormatDeviceRule(LinuxDeviceCgroup rule, string where)
    {
        var type = rule.Type ?? "a";
        if (type is not ("a" or "b" or "c"))
        {
            throw new CgroupConfigException($"{where}.type: \"{type}\" is not a device type (a, b or c)");
        }
        var access = rule.Access ?? "rwm";
        if (access.Length == 0 || access.Any(c => c is not ('r' or 'w' or 'm')) || access.Distinct().Count() != access.Length)
        {
            throw new CgroupConfigException($"{where}.access: \"{access}\" is not a combination of r, w and m");
        }
        if (rule.Major < -1 || rule.Minor < -1)
        {
            throw new CgroupConfigException($"{where}: negative device numbers (major {rule.Major}, minor {rule.Minor})");
        }
        static string Number(long? n) => n is null or -1 ? "*" : Format(n.Value);
        return $"{type} {Number(rule.Major)}:{Number(rule.Minor)} {access}";
    }

    /// <summary>Checks a hugetlb page size as it appears in file names ("2MB", "1GB", "64KB").</summary>
    public static string PageSize(string pageSize, string where)
    {
        var digits = pageSize.TakeWhile(char.IsAsciiDigit).Count();
        return digits > 0 && pageSize[digits..] is "KB" or "MB" or "GB"
            ? pageSize
            : throw new CgroupConfigException($"{where}.pageSize: \"{pageSize}\" is not a page size such as 2MB or 1GB");
    }
}
