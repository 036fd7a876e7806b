using System.Globalization;
using System.Text.Json;
using PSContainer.Oci;

namespace PSContainer.Runc.Cli;

/// <summary>`update`'s flags (runc's names) turned into a <see cref="LinuxResources"/>, or --resources FILE.</summary>
public static class UpdateFlags
{
    public static readonly OptionSpec[] Specs =
    [
        new("resources", 'r', true), new("memory", null, true), new("memory-reservation", null, true),
        new("memory-swap", null, true), new("cpu-shares", null, true), new("cpu-quota", null, true),
        new("cpu-period", null, true), new("cpu-rt-runtime", null, true), new("cpu-rt-period", null, true),
        new("cpuset-cpus", null, true), new("cpuset-mems", null, true), new("pids-limit", null, true),
        new("blkio-weight", null, true),
    ];

    public static LinuxResources Resources(ParsedArgs a)
    {
        if (a.Value("resources") is { } file)
        {
            var bytes = file == "-" ? ReadStdin() : File.ReadAllBytes(file);
            try
            {
                return JsonSerializer.Deserialize(bytes, OciJsonContext.Default.LinuxResources) ?? new LinuxResources();
            }
            catch (JsonException e)
            {
                throw new RuncException($"--resources {file}: invalid JSON: {e.Message}");
            }
        }
        var r = new LinuxResources();
        if (a.Has("memory") || a.Has("memory-reservation") || a.Has("memory-swap"))
        {
            r.Memory = new LinuxMemory
            {
                Limit = Bytes(a, "memory"), Reservation = Bytes(a, "memory-reservation"), Swap = Bytes(a, "memory-swap"),
            };
        }
        if (new[] { "cpu-shares", "cpu-quota", "cpu-period", "cpu-rt-runtime", "cpu-rt-period", "cpuset-cpus", "cpuset-mems" }.Any(a.Has))
        {
            r.Cpu = new LinuxCpu
            {
                Shares = (ulong?)Number(a, "cpu-shares"), Quota = Number(a, "cpu-quota"), Period = (ulong?)Number(a, "cpu-period"),
                RealtimeRuntime = Number(a, "cpu-rt-runtime"), RealtimePeriod = (ulong?)Number(a, "cpu-rt-period"),
                Cpus = a.Value("cpuset-cpus"), Mems = a.Value("cpuset-mems"),
            };
        }
        if (Number(a, "pids-limit") is { } pids)
        {
            r.Pids = new LinuxPids { Limit = pids };
        }
        if (Number(a, "blkio-weight") is { } weight)
        {
            r.BlockIO = new LinuxBlockIO { Weight = (ushort)weight };
        }
        return r;
    }

    private static byte[] ReadStdin()
    {
        using var stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        stdin.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static long? Number(ParsedArgs a, string name) =>
        a.Value(name) is not { } v ? null
        : long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
        : throw new UsageException($"--{name}: \"{v}\" is not a number");

    /// <summary>"512m", "1g", "1024" or "-1".</summary>
    private static long? Bytes(ParsedArgs a, string name)
    {
        if (a.Value(name) is not { } v)
        {
            return null;
        }
        if (v == "-1")
        {
            return -1;
        }
        var unit = char.ToLowerInvariant(v[^1]);
        var scale = unit switch { 'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30, 't' => 1L << 40, _ => 1L };
        var digits = scale == 1 ? v : v[..^1];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n * scale
            : throw new UsageException($"--{name}: \"{v}\" is not a size");
    }
}
