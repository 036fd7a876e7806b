namespace PSContainer.Runc.Security.Seccomp;

/// <summary>
/// A compiled seccomp filter ready for seccomp(SECCOMP_SET_MODE_FILTER, <see cref="Flags"/>, prog):
/// <see cref="Filter"/> is the <c>struct sock_filter</c> array (8 bytes per instruction) that a
/// <c>struct sock_fprog</c> points at.
/// </summary>
public sealed class SeccompProgram
{
    internal SeccompProgram(BpfInstruction[] instructions, SeccompFilterFlags flags, IReadOnlyList<string> skipped)
    {
        Instructions = instructions;
        Filter = BpfInstruction.ToBytes(instructions);
        Flags = flags;
        SkippedSyscalls = skipped;
    }

    /// <summary>The raw <c>struct sock_filter</c> bytes.</summary>
    public byte[] Filter { get; }

    public IReadOnlyList<BpfInstruction> Instructions { get; }

    /// <summary>Number of instructions (<c>sock_fprog.len</c>).</summary>
    public int Length => Instructions.Count;

    /// <summary>The flags for seccomp(2): the config's flags, plus NEW_LISTENER when an SCMP_ACT_NOTIFY rule is present.</summary>
    public SeccompFilterFlags Flags { get; }

    /// <summary>True when the filter can return SECCOMP_RET_USER_NOTIF, so the installer must pass the listener fd on.</summary>
    public bool NeedsListener => Flags.HasFlag(SeccompFilterFlags.NewListener);

    /// <summary>Syscall names of the config that no selected architecture knows; they were skipped, as runc does.</summary>
    public IReadOnlyList<string> SkippedSyscalls { get; }
}
