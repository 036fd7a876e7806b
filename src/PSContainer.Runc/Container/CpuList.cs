using System.Globalization;

namespace PSContainer.Runc.Container;

/// <summary>A Linux CPU list ("0-3,7", cpuset(7)) as the bit mask sched_setaffinity(2) takes.</summary>
public static class CpuList
{
    /// <summary>The highest CPU number accepted (the kernel's NR_CPUS is at most 8192).</summary>
    public const int MaxCpu = 8191;

    /// <summary>The mask bytes (a multiple of 8, bit n = CPU n); a malformed list is an error naming <paramref name="field"/>.</summary>
    public static byte[] ToMask(string list, string field)
    {
        var cpus = new List<int>();
        foreach (var part in list.Split(',', StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-');
            if (range.Length is 0 or > 2 || !range.All(IsCpu))
            {
                throw new RuncException($"config.json: {field}: invalid CPU list \"{list}\"");
            }
            var first = int.Parse(range[0], CultureInfo.InvariantCulture);
            var last = int.Parse(range[^1], CultureInfo.InvariantCulture);
            if (last < first)
            {
                throw new RuncException($"config.json: {field}: invalid CPU range \"{part}\"");
            }
            for (var cpu = first; cpu <= last; cpu++)
            {
                cpus.Add(cpu);
            }
        }
        var mask = new byte[(cpus.Max() / 64 + 1) * 8];
        foreach (var cpu in cpus)
        {
            mask[cpu / 8] |= (byte)(1 << (cpu % 8));
        }
        return mask;
    }

    private static bool IsCpu(string text) =>
        text.Length is > 0 and <= 4 && text.All(char.IsAsciiDigit) && int.Parse(text, CultureInfo.InvariantCulture) <= MaxCpu;
}
