using System.Collections.Frozen;

namespace PSContainer.Runc.Security.Seccomp;

/// <summary>The seccomp architectures this runtime can filter for (it runs on x86_64 hosts only).</summary>
public enum SeccompArchitecture
{
    /// <summary>SCMP_ARCH_X86_64: native 64-bit syscalls.</summary>
    X86_64,
    /// <summary>SCMP_ARCH_X86: i386 compat syscalls (int 0x80, 32-bit binaries).</summary>
    X86,
    /// <summary>SCMP_ARCH_X32: the x32 ABI, which shares AUDIT_ARCH_X86_64 but sets bit 30 in the syscall number.</summary>
    X32,
}

/// <summary>Names, audit values and syscall tables of <see cref="SeccompArchitecture"/>.</summary>
public static class SeccompArchitectures
{
    /// <summary>AUDIT_ARCH_X86_64 (EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE).</summary>
    public const uint AuditArchX86_64 = 0xC000003E;
    /// <summary>AUDIT_ARCH_I386 (EM_386 | __AUDIT_ARCH_LE).</summary>
    public const uint AuditArchI386 = 0x40000003;
    /// <summary>__X32_SYSCALL_BIT: set in seccomp_data.nr for x32 syscalls.</summary>
    public const uint X32SyscallBit = 0x40000000;

    private static readonly FrozenDictionary<string, SeccompArchitecture> Supported =
        new Dictionary<string, SeccompArchitecture>(StringComparer.Ordinal)
        {
            ["SCMP_ARCH_X86_64"] = SeccompArchitecture.X86_64,
            ["SCMP_ARCH_X86"] = SeccompArchitecture.X86,
            ["SCMP_ARCH_X32"] = SeccompArchitecture.X32,
        }.ToFrozenDictionary(StringComparer.Ordinal);

    // Architectures libseccomp knows but a filter on an x86_64 kernel can never see.
    private static readonly FrozenSet<string> Foreign = new[]
    {
        "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
        "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",
        "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, int> X86_64Table = Build(SyscallTables.X86_64);
    private static readonly FrozenDictionary<string, int> I386Table = Build(SyscallTables.I386);
    private static readonly FrozenDictionary<string, int> X32Table = Build(SyscallTables.X32);

    /// <summary>Parses "SCMP_ARCH_X86_64" and friends; <paramref name="where"/> prefixes the error.</summary>
    public static SeccompArchitecture Parse(string name, string where)
    {
        if (Supported.TryGetValue(name, out var arch))
        {
            return arch;
        }
        throw new SecurityConfigException(Foreign.Contains(name)
            ? $"{where}: seccomp architecture \"{name}\" is not supported on this x86_64 runtime (supported: SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32)"
            : $"{where}: unknown seccomp architecture \"{name}\"");
    }

    /// <summary>The syscall number of <paramref name="name"/> on <paramref name="arch"/>, as seen in seccomp_data.nr.</summary>
    public static bool TryGetSyscallNumber(SeccompArchitecture arch, string name, out int number) =>
        Table(arch).TryGetValue(name, out number);

    /// <summary>Every syscall name the tables know for <paramref name="arch"/>.</summary>
    public static IEnumerable<string> SyscallNames(SeccompArchitecture arch) => Table(arch).Keys;

    /// <summary>Whether seccomp_data.args on this architecture are 32 bits wide (only the low half is compared, as libseccomp does).</summary>
    public static bool Has32BitArguments(SeccompArchitecture arch) => arch == SeccompArchitecture.X86;

    private static FrozenDictionary<string, int> Table(SeccompArchitecture arch) => arch switch
    {
        SeccompArchitecture.X86_64 => X86_64Table,
        SeccompArchitecture.X86 => I386Table,
        SeccompArchitecture.X32 => X32Table,
        _ => throw new ArgumentOutOfRangeException(nameof(arch)),
    };

    private static FrozenDictionary<string, int> Build((string Name, int Number)[] table) =>
        table.ToFrozenDictionary(e => e.Name, e => e.Number, StringComparer.Ordinal);
}
