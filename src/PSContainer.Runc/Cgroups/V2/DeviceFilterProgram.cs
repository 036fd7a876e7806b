using PSContainer.Oci;

namespace PSContainer.Runc.Cgroups.V2;

/// <summary>
/// Generates the BPF_PROG_TYPE_CGROUP_DEVICE program that enforces <c>linux.resources.devices</c>
/// on cgroup v2, where the devices controller is replaced by an eBPF hook.
/// <para>
/// The program gets <c>struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }</c>
/// (access_type = access &lt;&lt; 16 | type) and returns 1 to allow, 0 to deny. Rules are checked
/// from the last to the first and the first match decides, which is "the last matching rule wins",
/// as sequential v1 allow/deny writes behave; no match denies (OCI configs start with "deny all").
/// </para>
/// </summary>
public static class DeviceFilterProgram
{
    // linux/bpf.h: enum bpf_devcg_dev_type and the access bits.
    private const int DevBlock = 1, DevChar = 2;
    private const int AccessMknod = 1, AccessRead = 2, AccessWrite = 4, AccessAll = 7;

    // Registers: r1 = context (then scratch), r2 = type, r3 = access, r4 = major, r5 = minor.
    private const byte R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5;

    public static EbpfInstruction[] Generate(IReadOnlyList<LinuxDeviceCgroup> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var program = new List<EbpfInstruction>
        {
            new(EbpfInstruction.LoadWord, R2, R1, 0, 0),
            new(EbpfInstruction.And32Imm, R2, 0, 0, 0xffff),
            new(EbpfInstruction.LoadWord, R3, R1, 0, 0),
            new(EbpfInstruction.RightShift32Imm, R3, 0, 0, 16),
            new(EbpfInstruction.LoadWord, R4, R1, 4, 0),
            new(EbpfInstruction.LoadWord, R5, R1, 8, 0),
        };
        for (var i = rules.Count - 1; i >= 0; i--)
        {
            var block = Block(rules[i], $"linux.resources.devices[{i}]");
            program.AddRange(block);
            if (block.Count == 2)
            {
                // A rule without checks matches every device: earlier rules can never decide, and
                // the verifier rejects unreachable instructions, so the program ends here.
                for (var j = i - 1; j >= 0; j--)
                {
                    CgroupValues.FormatDeviceRule(rules[j], $"linux.resources.devices[{j}]");
                }
                return [.. program];
            }
        }
        program.Add(new(EbpfInstruction.Move64Imm, R0, 0, 0, 0));
        program.Add(new(EbpfInstruction.Exit, 0, 0, 0, 0));
        return [.. program];
    }

    /// <summary>The checks of one rule; every failed check jumps past the block's "return".</summary>
    private static List<EbpfInstruction> Block(LinuxDeviceCgroup rule, string where)
    {
        CgroupValues.FormatDeviceRule(rule, where); // validates type, access and numbers
        var checks = new List<(EbpfInstruction Instruction, bool JumpsToNext)>();
        var type = rule.Type ?? "a";
        if (type != "a")
        {
            checks.Add((new(EbpfInstruction.JumpNotEqual32Imm, R2, 0, 0, type == "b" ? DevBlock : DevChar), true));
        }
        var access = Access(rule.Access ?? "rwm");
        if (access != AccessAll)
        {
            // Any requested access bit outside the rule's set means the rule does not cover the request.
            checks.Add((new(EbpfInstruction.Move32Reg, R1, R3, 0, 0), false));
            checks.Add((new(EbpfInstruction.And32Imm, R1, 0, 0, ~access & AccessAll), false));
            checks.Add((new(EbpfInstruction.JumpNotEqual32Imm, R1, 0, 0, 0), true));
        }
        if (rule.Major is { } major and >= 0)
        {
            checks.Add((new(EbpfInstruction.JumpNotEqual32Imm, R4, 0, 0, unchecked((int)(uint)major)), true));
        }
        if (rule.Minor is { } minor and >= 0)
        {
            checks.Add((new(EbpfInstruction.JumpNotEqual32Imm, R5, 0, 0, unchecked((int)(uint)minor)), true));
        }
        var block = new List<EbpfInstruction>();
        for (var i = 0; i < checks.Count; i++)
        {
            var (instruction, jumps) = checks[i];
            // Skip the remaining checks plus "r0 = verdict; exit".
            block.Add(jumps ? instruction with { Offset = (short)(checks.Count - i - 1 + 2) } : instruction);
        }
        block.Add(new(EbpfInstruction.Move64Imm, R0, 0, 0, rule.Allow ? 1 : 0));
        block.Add(new(EbpfInstruction.Exit, 0, 0, 0, 0));
        return block;
    }

    private static int Access(string access) =>
        access.Sum(c => c switch { 'r' => AccessRead, 'w' => AccessWrite, 'm' => AccessMknod, _ => 0 });
}
