using System.Buffers.Binary;
using PSContainer.Oci;
using PSContainer.Runc.Cgroups;
using PSContainer.Runc.Cgroups.V2;
using Xunit;

namespace PSContainer.Runc.Tests.Cgroups;

public sealed class DeviceFilterProgramTests
{
    private const int Block = 1, Char = 2, Mknod = 1, Read = 2, Write = 4;

    /// <summary>Runs the subset of eBPF the generator emits over a bpf_cgroup_dev_ctx; returns r0.</summary>
    private static long Run(EbpfInstruction[] program, int type, int access, uint major, uint minor)
    {
        var ctx = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(ctx, (uint)((access << 16) | type));
        BinaryPrimitives.WriteUInt32LittleEndian(ctx.AsSpan(4), major);
        BinaryPrimitives.WriteUInt32LittleEndian(ctx.AsSpan(8), minor);
        var r = new ulong[11];
        var pc = 0;
        for (var steps = 0; steps < 10_000; steps++)
        {
            var insn = program[pc];
            switch (insn.Code)
            {
                case EbpfInstruction.LoadWord:
                    Assert.Equal(1, insn.Src); // only the context pointer is dereferenced
                    r[insn.Dst] = BinaryPrimitives.ReadUInt32LittleEndian(ctx.AsSpan(insn.Offset, 4));
                    break;
                case EbpfInstruction.And32Imm: r[insn.Dst] = (uint)r[insn.Dst] & (uint)insn.Immediate; break;
                case EbpfInstruction.RightShift32Imm: r[insn.Dst] = (uint)r[insn.Dst] >> insn.Immediate; break;
                case EbpfInstruction.Move32Reg: r[insn.Dst] = (uint)r[insn.Src]; break;
                case EbpfInstruction.Move64Imm: r[insn.Dst] = (ulong)(long)insn.Immediate; break;
                case EbpfInstruction.JumpNotEqual32Imm:
                    if ((uint)r[insn.Dst] != (uint)insn.Immediate)
                    {
                        pc += insn.Offset;
                        Assert.InRange(pc + 1, 0, program.Length - 1);
                    }
                    break;
                case EbpfInstruction.Exit: return (long)r[0];
                default: throw new InvalidOperationException($"opcode 0x{insn.Code:x2}");
            }
            pc++;
        }
        throw new InvalidOperationException("no exit");
    }

    /// <summary>The runtime-spec default device list (deny all, then the usual character devices).</summary>
    private static readonly List<LinuxDeviceCgroup> DefaultRules =
    [
        new() { Allow = false, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },  // /dev/null
        new() { Allow = true, Type = "c", Major = 1, Minor = 5, Access = "rwm" },  // /dev/zero
        new() { Allow = true, Type = "c", Major = 136, Access = "rw" },            // /dev/pts/*
        new() { Allow = true, Type = "c", Major = 5, Minor = 1, Access = "r" },
        new() { Allow = false, Type = "c", Major = 1, Minor = 5, Access = "w" },   // later rules win
    ];

    [Theory]
    [InlineData(Char, Read | Write, 1u, 3u, 1)]
    [InlineData(Char, Mknod, 1u, 3u, 1)]
    [InlineData(Block, Read, 1u, 3u, 0)]     // same numbers, wrong type
    [InlineData(Char, Read, 1u, 5u, 1)]
    [InlineData(Char, Write, 1u, 5u, 0)]     // denied by the last rule
    [InlineData(Char, Read | Write, 136u, 7u, 1)]
    [InlineData(Char, Mknod, 136u, 7u, 0)]   // m not granted for ptys
    [InlineData(Char, Read, 5u, 1u, 1)]
    [InlineData(Char, Read | Write, 5u, 1u, 0)]
    [InlineData(Block, Read, 8u, 0u, 0)]     // everything else: denied
    [InlineData(Char, Read, 4000000000u, 1u, 0)]
    public void TheLastMatchingRuleDecides(int type, int access, uint major, uint minor, long expected) =>
        Assert.Equal(expected, Run(DeviceFilterProgram.Generate(DefaultRules), type, access, major, minor));

    [Fact]
    public void AllowAllAllowsEverythingAndAnEmptyListDeniesEverything()
    {
        var allowAll = DeviceFilterProgram.Generate([new() { Allow = true, Access = "rwm" }]);
        Assert.Equal(1, Run(allowAll, Block, Read | Write | Mknod, 8, 0));
        var none = DeviceFilterProgram.Generate([]);
        Assert.Equal(0, Run(none, Char, Read, 1, 3));
    }

    [Fact]
    public void NothingFollowsACatchAllRuleBecauseTheVerifierRefusesDeadCode()
    {
        // The deny-all rule is checked last and ends the program: one exit per rule, no default verdict.
        var program = DeviceFilterProgram.Generate(DefaultRules);
        Assert.Equal(DefaultRules.Count, program.Count(i => i.Code == EbpfInstruction.Exit));
        // Without a catch-all, the default "deny" closes the program.
        var rulesOnly = DeviceFilterProgram.Generate([new() { Allow = true, Type = "c", Major = 1, Minor = 3 }]);
        Assert.Equal(2, rulesOnly.Count(i => i.Code == EbpfInstruction.Exit));
        Assert.Equal(new EbpfInstruction(EbpfInstruction.Move64Imm, 0, 0, 0, 0), rulesOnly[^2]);
    }

    [Fact]
    public void HugeMajorNumbersCompareAs32Bit()
    {
        var program = DeviceFilterProgram.Generate([new() { Allow = true, Type = "c", Major = 4000000000, Minor = 1, Access = "r" }]);
        Assert.Equal(1, Run(program, Char, Read, 4000000000, 1));
        Assert.Equal(0, Run(program, Char, Read, 4000000001, 1));
    }

    [Fact]
    public void InvalidRulesAreRejectedWithTheirIndex()
    {
        var error = Assert.Throws<CgroupConfigException>(() =>
            DeviceFilterProgram.Generate([new() { Allow = true, Access = "rwm" }, new() { Allow = true, Type = "x" }]));
        Assert.StartsWith("linux.resources.devices[1].type", error.Message);
    }

    [Fact]
    public void InstructionsEncodeLikeStructBpfInsn()
    {
        var bytes = EbpfInstruction.ToBytes([new(EbpfInstruction.LoadWord, 4, 1, 4, 0), new(EbpfInstruction.JumpNotEqual32Imm, 2, 0, 3, 2)]);
        Assert.Equal(new byte[] { 0x61, 0x14, 4, 0, 0, 0, 0, 0, 0x56, 0x02, 3, 0, 2, 0, 0, 0 }, bytes);
    }
}
