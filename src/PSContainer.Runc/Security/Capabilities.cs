using System.Collections.Frozen;
using System.Globalization;

namespace PSContainer.Runc.Security;

/// <summary>
/// Linux capability names and numbers (linux/capability.h), parsing of OCI capability lists and
/// their conversion to the 64-bit masks that capset(2) takes as two 32-bit words.
/// </summary>
public static class Capabilities
{
    /// <summary>Index = capability number.</summary>
    private static readonly string[] Names =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
        "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    private static readonly FrozenDictionary<string, int> Numbers =
        Names.Select((name, number) => (name, number)).ToFrozenDictionary(e => e.name, e => e.number, StringComparer.Ordinal);

    /// <summary>The highest capability this table knows (CAP_CHECKPOINT_RESTORE = 40).</summary>
    public const int LastKnown = 40;

    /// <summary>Every capability name, in number order.</summary>
    public static IReadOnlyList<string> All => Names;

    /// <summary>The name of capability <paramref name="number"/>.</summary>
    public static string NameOf(int number) =>
        number >= 0 && number < Names.Length ? Names[number] : throw new ArgumentOutOfRangeException(nameof(number), number, "unknown capability number");

    /// <summary>
    /// The number of <paramref name="name"/>; accepts "CAP_SYS_ADMIN" and, like runc's --cap and
    /// Docker's --cap-add, "SYS_ADMIN" and any letter case. <paramref name="where"/> prefixes errors.
    /// </summary>
    public static int Parse(string name, string where = "capability")
    {
        var canonical = Canonical(name);
        return Numbers.TryGetValue(canonical, out var number)
            ? number
            : throw new SecurityConfigException($"{where}: unknown capability \"{name}\"");
    }

    public static bool TryParse(string name, out int number) => Numbers.TryGetValue(Canonical(name), out number);

    /// <summary>The highest capability the running kernel supports, from /proc/sys/kernel/cap_last_cap.</summary>
    public static int KernelLastCap(string procFile = "/proc/sys/kernel/cap_last_cap")
    {
        var text = File.ReadAllText(procFile).Trim();
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            ? last
            : throw new InvalidDataException($"{procFile}: expected a number, found \"{text}\"");
    }

    /// <summary>
    /// The capability mask of <paramref name="names"/> (bit N = capability N). Unknown names are an
    /// error naming the set; names the kernel does not support (above <paramref name="lastCap"/>)
    /// are an error too, unless <paramref name="ignoreUnsupported"/> (then they are dropped, as runc
    /// does with a warning for capabilities newer than the kernel).
    /// </summary>
    public static ulong ToMask(IEnumerable<string>? names, string where, int lastCap = LastKnown,
        bool ignoreUnsupported = false, Action<string>? warn = null)
    {
        ulong mask = 0;
        var i = 0;
        foreach (var name in names ?? [])
        {
            var number = Parse(name, $"{where}[{i++}]");
            if (number > lastCap)
            {
                if (!ignoreUnsupported)
                {
                    throw new SecurityConfigException($"{where}: {Names[number]} is not supported by this kernel (cap_last_cap is {lastCap})");
                }
                warn?.Invoke($"{where}: ignoring {Names[number]}, which this kernel does not support (cap_last_cap is {lastCap})");
                continue;
            }
            mask |= 1UL << number;
        }
        return mask;
    }

    /// <summary>The mask with every capability up to <paramref name="lastCap"/> set.</summary>
    public static ulong FullMask(int lastCap) => lastCap >= 63 ? ulong.MaxValue : (1UL << (lastCap + 1)) - 1;

    /// <summary>The names of the capabilities set in <paramref name="mask"/>, in number order.</summary>
    public static IReadOnlyList<string> FromMask(ulong mask) =>
        Enumerable.Range(0, Names.Length).Where(n => (mask & (1UL << n)) != 0).Select(n => Names[n]).ToList();

    /// <summary>The two 32-bit words of <c>struct __user_cap_data_struct[2]</c> (_LINUX_CAPABILITY_VERSION_3) for one set.</summary>
    public static (uint Low, uint High) Split(ulong mask) => ((uint)mask, (uint)(mask >> 32));

    private static string Canonical(string name)
    {
        var upper = name.Trim().ToUpperInvariant();
        return upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper : "CAP_" + upper;
    }
}

/// <summary>
/// The five capability sets of a process (OCI <c>process.capabilities</c>) as kernel masks.
/// </summary>
public readonly record struct CapabilitySets(ulong Bounding, ulong Effective, ulong Inheritable, ulong Permitted, ulong Ambient)
{
    /// <summary>
    /// Builds the masks from the OCI lists (null lists are empty sets). <paramref name="lastCap"/>
    /// is usually <see cref="Capabilities.KernelLastCap"/>.
    /// </summary>
    public static CapabilitySets From(IEnumerable<string>? bounding, IEnumerable<string>? effective,
        IEnumerable<string>? inheritable, IEnumerable<string>? permitted, IEnumerable<string>? ambient,
        int lastCap = Capabilities.LastKnown, bool ignoreUnsupported = false, Action<string>? warn = null) => new(
        Capabilities.ToMask(bounding, "process.capabilities.bounding", lastCap, ignoreUnsupported, warn),
        Capabilities.ToMask(effective, "process.capabilities.effective", lastCap, ignoreUnsupported, warn),
        Capabilities.ToMask(inheritable, "process.capabilities.inheritable", lastCap, ignoreUnsupported, warn),
        Capabilities.ToMask(permitted, "process.capabilities.permitted", lastCap, ignoreUnsupported, warn),
        Capabilities.ToMask(ambient, "process.capabilities.ambient", lastCap, ignoreUnsupported, warn));
}
