using PSContainer.Oci;
using PSContainer.Runc.Security;
using PSContainer.Runc.Security.Seccomp;
using Xunit;

namespace PSContainer.Runc.Tests.Security;

public sealed class SeccompCompilerTests
{
    private const uint Eperm = 1, Enosys = 38;
    private static readonly uint Allow = SeccompAction.Allow;

    private static int Nr(string name, SeccompArchitecture arch = SeccompArchitecture.X86_64) =>
        SeccompArchitectures.TryGetSyscallNumber(arch, name, out var nr) ? nr : throw new ArgumentException(name);

    private static LinuxSeccomp Config(string defaultAction, params LinuxSyscall[] rules) => new()
    {
        DefaultAction = defaultAction,
        Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        Syscalls = [.. rules],
    };

    private static LinuxSyscall Rule(string action, string[] names, params LinuxSeccompArg[] args) =>
        new() { Action = action, Names = [.. names], Args = args.Length == 0 ? null : [.. args] };

    private static LinuxSeccompArg Arg(uint index, string op, ulong value, ulong valueTwo = 0) =>
        new() { Index = index, Op = op, Value = value, ValueTwo = valueTwo };

    private static uint Run(LinuxSeccomp config, SeccompData data) =>
        ClassicBpfInterpreter.Run(SeccompCompiler.CompileProgram(config).Instructions, data);

    [Fact]
    public void SyscallTablesComeFromTheKernelHeaders()
    {
        Assert.Equal(0, Nr("read"));
        Assert.Equal(59, Nr("execve"));
        Assert.Equal(246, Nr("kexec_load"));
        Assert.Equal(11, Nr("execve", SeccompArchitecture.X86));
        Assert.Equal(0x40000000 + 520, Nr("execve", SeccompArchitecture.X32));
        Assert.Equal(0x40000000 + 0, Nr("read", SeccompArchitecture.X32));
        Assert.False(SeccompArchitectures.TryGetSyscallNumber(SeccompArchitecture.X86_64, "socketcall", out _));
        Assert.True(SeccompArchitectures.TryGetSyscallNumber(SeccompArchitecture.X86, "socketcall", out _));
    }

    [Fact]
    public void AllowListReturnsTheRuleActionAndTheDefaultOtherwise()
    {
        var config = Config("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", ["read", "write", "exit_group"]));
        Assert.Equal(Allow, Run(config, SeccompData.X86_64(Nr("read"))));
        Assert.Equal(Allow, Run(config, SeccompData.X86_64(Nr("exit_group"))));
        Assert.Equal(SeccompAction.Errno | Eperm, Run(config, SeccompData.X86_64(Nr("open"))));
    }

    [Theory]
    [InlineData("SCMP_ACT_KILL", SeccompAction.KillThread)]
    [InlineData("SCMP_ACT_KILL_THREAD", SeccompAction.KillThread)]
    [InlineData("SCMP_ACT_KILL_PROCESS", SeccompAction.KillProcess)]
    [InlineData("SCMP_ACT_TRAP", SeccompAction.Trap)]
    [InlineData("SCMP_ACT_ALLOW", SeccompAction.Allow)]
    [InlineData("SCMP_ACT_LOG", SeccompAction.Log)]
    [InlineData("SCMP_ACT_ERRNO", SeccompAction.Errno | 1)]
    [InlineData("SCMP_ACT_TRACE", SeccompAction.Trace | 1)]
    public void EveryActionMapsToItsReturnValue(string action, uint expected)
    {
        var config = Config("SCMP_ACT_ALLOW", Rule(action, ["getpid"]));
        Assert.Equal(expected, Run(config, SeccompData.X86_64(Nr("getpid"))));
        Assert.Equal(Allow, Run(config, SeccompData.X86_64(Nr("getppid"))));
    }

    [Fact]
    public void ErrnoRetAndDefaultErrnoRetAreCarriedInTheReturnData()
    {
        var config = Config("SCMP_ACT_ERRNO", new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 13 },
            new LinuxSyscall { Names = ["rmdir"], Action = "SCMP_ACT_TRACE", ErrnoRet = 1234 },
            Rule("SCMP_ACT_ALLOW", ["read"]));
        config.DefaultErrnoRet = 95;
        Assert.Equal(SeccompAction.Errno | 13, Run(config, SeccompData.X86_64(Nr("mkdir"))));
        Assert.Equal(SeccompAction.Trace | 1234, Run(config, SeccompData.X86_64(Nr("rmdir"))));
        Assert.Equal(SeccompAction.Errno | 95, Run(config, SeccompData.X86_64(Nr("open"))));
    }

    [Fact]
    public void NotifyNeedsAListenerPathAndAddsTheNewListenerFlag()
    {
        var config = Config("SCMP_ACT_ALLOW", Rule("SCMP_ACT_NOTIFY", ["mount"]));
        var error = Assert.Throws<SecurityConfigException>(() => SeccompCompiler.CompileProgram(config));
        Assert.Contains("listenerPath", error.Message);

        config.ListenerPath = "/run/agent.sock";
        var program = SeccompCompiler.CompileProgram(config);
        Assert.True(program.NeedsListener);
        Assert.Equal(SeccompAction.UserNotif, ClassicBpfInterpreter.Run(program.Instructions, SeccompData.X86_64(Nr("mount"))));
        Assert.Contains("write syscall", Assert.Throws<SecurityConfigException>(() =>
            SeccompCompiler.CompileProgram(Config("SCMP_ACT_ALLOW", Rule("SCMP_ACT_NOTIFY", ["write"])))).Message);
    }

    [Fact]
    public void FlagsArePassedThroughAsTheirValues()
    {
        var config = Config("SCMP_ACT_ALLOW");
        config.Flags = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"];
        Assert.Equal(7u, SeccompCompiler.FlagsValue(config));
        config.Flags = ["SECCOMP_FILTER_FLAG_NEW_LISTENER"];
        Assert.Equal(8u, SeccompCompiler.FlagsValue(config));
        config.Syscalls = [Rule("SCMP_ACT_NOTIFY", ["mount"])];
        config.ListenerPath = "/run/agent.sock";
        Assert.Equal(8u, SeccompCompiler.FlagsValue(config));
        config.Flags = ["SECCOMP_FILTER_FLAG_TSYNC"];
        Assert.Equal(9u, SeccompCompiler.FlagsValue(config));
        Assert.Equal(SeccompFilterFlags.Tsync | SeccompFilterFlags.NewListener, SeccompCompiler.CompileProgram(config).Flags);
        config.Flags = ["SECCOMP_FILTER_FLAG_BOGUS"];
        Assert.Equal("linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_BOGUS\"",
            Assert.Throws<SecurityConfigException>(() => SeccompCompiler.FlagsValue(config)).Message);
    }

    [Fact]
    public void UnknownSyscallNamesAreSkippedWithADebugNote()
    {
        var notes = new List<string>();
        var config = Config("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", ["read", "no_such_syscall_2026"]));
        var program = SeccompCompiler.CompileProgram(config, notes.Add);
        Assert.Equal(["no_such_syscall_2026"], program.SkippedSyscalls);
        Assert.Contains(notes, n => n.Contains("no_such_syscall_2026"));
        Assert.Equal(Allow, ClassicBpfInterpreter.Run(program.Instructions, SeccompData.X86_64(Nr("read"))));
    }

    [Theory]
    [InlineData("SCMP_ACT_EXPLODE", "linux.seccomp.syscalls[0].action: unknown seccomp action \"SCMP_ACT_EXPLODE\"")]
    [InlineData("", "linux.seccomp.syscalls[0].action: action is missing")]
    public void UnknownActionsAreRejected(string action, string message) =>
        Assert.Equal(message, Assert.Throws<SecurityConfigException>(() =>
            SeccompCompiler.Compile(Config("SCMP_ACT_ALLOW", Rule(action, ["read"])))).Message);

    [Fact]
    public void UnknownOperatorsArchitecturesAndBadIndexesAreRejected()
    {
        Assert.Equal("linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_SORTOF\"",
            Assert.Throws<SecurityConfigException>(() => SeccompCompiler.Compile(
                Config("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", ["read"], Arg(0, "SCMP_CMP_SORTOF", 1))))).Message);
        Assert.Contains("out of range", Assert.Throws<SecurityConfigException>(() => SeccompCompiler.Compile(
            Config("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", ["read"], Arg(6, "SCMP_CMP_EQ", 1))))).Message);

        var aarch64 = new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Architectures = ["SCMP_ARCH_AARCH64"] };
        Assert.Contains("\"SCMP_ARCH_AARCH64\" is not supported", Assert.Throws<SecurityConfigException>(() => SeccompCompiler.Compile(aarch64)).Message);
        var bogus = new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"] };
        Assert.Equal("linux.seccomp.architectures[1]: unknown seccomp architecture \"SCMP_ARCH_Z80\"",
            Assert.Throws<SecurityConfigException>(() => SeccompCompiler.Compile(bogus)).Message);
        Assert.Contains("errnoRet is only valid", Assert.Throws<SecurityConfigException>(() => SeccompCompiler.Compile(
            Config("SCMP_ACT_ALLOW", new LinuxSyscall { Names = ["read"], Action = "SCMP_ACT_KILL", ErrnoRet = 1 }))).Message);
        Assert.Contains("default action", Assert.Throws<SecurityConfigException>(() => SeccompCompiler.Compile(
            Config("SCMP_ACT_NOTIFY"))).Message);
    }

    [Fact]
    public void ForeignArchitecturesAreKilledAndEachArchitectureUsesItsOwnNumbers()
    {
        var config = Config("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", ["execve"]));
        Assert.Equal(Allow, Run(config, SeccompData.X86_64(59)));
        Assert.Equal(Allow, Run(config, SeccompData.I386(11)));
        Assert.Equal(Allow, Run(config, SeccompData.X86_64(Nr("execve", SeccompArchitecture.X32))));
        // 5 is "open" on i386 (and 59, above i386's execve, is newer than anything named: ENOSYS);
        // x32's execve is not 59 + the x32 bit.
        Assert.Equal(SeccompAction.Errno | Eperm, Run(config, SeccompData.I386(5)));
        Assert.Equal(SeccompAction.Errno | Enosys, Run(config, SeccompData.I386(59)));
        Assert.Equal(SeccompAction.Errno | Eperm, Run(config, SeccompData.X86_64(0x40000000 + 59)));
        Assert.Equal(SeccompAction.KillProcess, Run(config, new SeccompData(59, 0xC00000B7 /* AUDIT_ARCH_AARCH64 */)));
    }

    [Fact]
    public void OnlyTheListedArchitecturesPass()
    {
        var config = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Architectures = ["SCMP_ARCH_X86_64"],
            Syscalls = [Rule("SCMP_ACT_ERRNO", ["mount"])],
        };
        Assert.Equal(SeccompAction.Errno | Eperm, Run(config, SeccompData.X86_64(Nr("mount"))));
        Assert.Equal(Allow, Run(config, SeccompData.X86_64(Nr("read"))));
        Assert.Equal(SeccompAction.KillProcess, Run(config, SeccompData.I386(3)));
        Assert.Equal(SeccompAction.KillProcess, Run(config, SeccompData.X86_64(Nr("read", SeccompArchitecture.X32))));
        // nr -1 (a tracer skipped the call) is not an x32 call.
        Assert.Equal(Allow, Run(config, SeccompData.X86_64(-1)));

        config.Architectures = null; // absent means the native architecture only
        Assert.Equal(SeccompAction.KillProcess, Run(config, SeccompData.I386(3)));
        Assert.Equal(Allow, Run(config, SeccompData.X86_64(Nr("read"))));
    }

    [Fact]
    public void SyscallsNewerThanAnyNamedOneGetEnosysUnlessTheDefaultAllows()
    {
        var config = Config("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", ["read", "openat"]));
        Assert.Equal(SeccompAction.Errno | Enosys, Run(config, SeccompData.X86_64(Nr("openat") + 1)));
        Assert.Equal(SeccompAction.Errno | Eperm, Run(config, SeccompData.X86_64(Nr("openat") - 1)));
        var permissive = Config("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", ["read"]));
        Assert.Equal(Allow, Run(permissive, SeccompData.X86_64(400)));
    }

    public static TheoryData<string> Operators() =>
        ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"];

    private static readonly ulong[] Interesting =
    [
        0, 1, 2, 0x7f, 0xffff_ffff, 0x1_0000_0000, 0x1_0000_0001, 0x1_ffff_ffff, 0x2_0000_0000,
        0x8000_0000, 0x7fff_ffff_ffff_ffff, 0x8000_0000_0000_0000, 0xffff_ffff_ffff_fffe, ulong.MaxValue,
        0x0000_0001_0000_0002, 0x0000_0002_0000_0001, 0x7E02_0000, 0x1000_0000_0000_0000,
    ];

    private static bool Reference(string op, ulong arg, ulong value, ulong valueTwo) => op switch
    {
        "SCMP_CMP_NE" => arg != value,
        "SCMP_CMP_LT" => arg < value,
        "SCMP_CMP_LE" => arg <= value,
        "SCMP_CMP_EQ" => arg == value,
        "SCMP_CMP_GE" => arg >= value,
        "SCMP_CMP_GT" => arg > value,
        "SCMP_CMP_MASKED_EQ" => (arg & value) == valueTwo,
        _ => throw new ArgumentException(op),
    };

    [Theory]
    [MemberData(nameof(Operators))]
    public void EveryOperatorComparesAll64BitsUnsigned(string op)
    {
        var random = new Random(1234);
        var values = Interesting.Concat(Enumerable.Range(0, 12).Select(_ => (ulong)random.NextInt64() * 3)).ToArray();
        foreach (var value in values)
        {
            var valueTwo = value & 0xff00_ff00_ff00_ff00;
            for (var index = 0u; index < 6; index += 5)
            {
                var config = new LinuxSeccomp
                {
                    DefaultAction = "SCMP_ACT_ALLOW",
                    Syscalls = [Rule("SCMP_ACT_ERRNO", ["ioctl"], Arg(index, op, value, valueTwo))],
                };
                var program = SeccompCompiler.CompileProgram(config).Instructions;
                foreach (var arg in values)
                {
                    var args = new ulong[6];
                    args[index] = arg;
                    args[5 - index] = ~arg; // the other argument must not matter
                    var expected = Reference(op, arg, value, valueTwo) ? SeccompAction.Errno | Eperm : Allow;
                    var actual = ClassicBpfInterpreter.Run(program, SeccompData.X86_64(Nr("ioctl"), args));
                    Assert.True(expected == actual,
                        $"{op} arg{index}=0x{arg:x} value=0x{value:x} valueTwo=0x{valueTwo:x}: expected {SeccompAction.Describe(expected)}, got {SeccompAction.Describe(actual)}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Operators))]
    public void OnI386OnlyTheLow32BitsAreCompared(string op)
    {
        foreach (var value in new ulong[] { 0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_fffe, 0xffff_ffff })
        {
            var config = new LinuxSeccomp
            {
                DefaultAction = "SCMP_ACT_ALLOW",
                Architectures = ["SCMP_ARCH_X86"],
                Syscalls = [Rule("SCMP_ACT_ERRNO", ["ioctl"], Arg(1, op, value, value & 0xff00))],
            };
            var program = SeccompCompiler.CompileProgram(config).Instructions;
            foreach (var arg in new ulong[] { 0, 1, 2, 0x7fff_ffff, 0x8000_0000, 0xffff_fffe, 0xffff_ffff })
            {
                var expected = Reference(op, arg, value, value & 0xff00) ? SeccompAction.Errno | Eperm : Allow;
                Assert.Equal(expected, ClassicBpfInterpreter.Run(program, SeccompData.I386(Nr("ioctl", SeccompArchitecture.X86), 0, arg)));
            }
        }
    }

    [Fact]
    public void AllComparisonsOfARuleMustHoldAndRulesMatchInOrder()
    {
        var config = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            Syscalls =
            [
                Rule("SCMP_ACT_ALLOW", ["socket"], Arg(0, "SCMP_CMP_EQ", 1), Arg(1, "SCMP_CMP_MASKED_EQ", 0xf, 1)),
                new LinuxSyscall { Names = ["socket"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 97, Args = [Arg(0, "SCMP_CMP_EQ", 40)] },
                Rule("SCMP_ACT_LOG", ["socket"]),
                Rule("SCMP_ACT_TRAP", ["socket"]), // unreachable after the unconditional rule
            ],
        };
        var socket = Nr("socket");
        Assert.Equal(Allow, Run(config, SeccompData.X86_64(socket, 1, 0x80001)));
        Assert.Equal(SeccompAction.Log, Run(config, SeccompData.X86_64(socket, 1, 2)));
        Assert.Equal(SeccompAction.Log, Run(config, SeccompData.X86_64(socket, 2, 1)));
        Assert.Equal(SeccompAction.Errno | 97, Run(config, SeccompData.X86_64(socket, 40, 1)));
    }

    [Fact]
    public void RepeatedArgumentIndexesInOneRuleAreAlternatives()
    {
        // As runc does: "personality(0) or personality(8)" written as one rule with two args on index 0.
        var config = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            Syscalls = [Rule("SCMP_ACT_ALLOW", ["personality"], Arg(0, "SCMP_CMP_EQ", 0), Arg(0, "SCMP_CMP_EQ", 8))],
        };
        var nr = Nr("personality");
        Assert.Equal(Allow, Run(config, SeccompData.X86_64(nr, 0)));
        Assert.Equal(Allow, Run(config, SeccompData.X86_64(nr, 8)));
        Assert.Equal(SeccompAction.Errno | Eperm, Run(config, SeccompData.X86_64(nr, 4)));
    }

    [Fact]
    public void ProgramsLongerThanTheEightBitJumpRangeStayCorrect()
    {
        // 300 syscalls with argument rules: the dispatch chain alone is longer than 255 instructions,
        // so branches into the rule bodies need trampolines.
        var names = SeccompArchitectures.SyscallNames(SeccompArchitecture.X86_64).Order(StringComparer.Ordinal).Take(300).ToList();
        var config = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Syscalls = names.Select((name, i) => new LinuxSyscall
            {
                Names = [name],
                Action = "SCMP_ACT_ERRNO",
                ErrnoRet = (uint)(i + 1),
                Args = [Arg(2, "SCMP_CMP_EQ", (ulong)i + 0x1_0000_0000)],
            }).ToList(),
        };
        var program = SeccompCompiler.CompileProgram(config);
        Assert.True(program.Length > 256, $"only {program.Length} instructions");
        Assert.Contains(program.Instructions, i => i.Code == BpfInstruction.Ja && i.K > 255);
        for (var i = 0; i < names.Count; i++)
        {
            var nr = Nr(names[i]);
            Assert.Equal(SeccompAction.Errno | (uint)(i + 1),
                ClassicBpfInterpreter.Run(program.Instructions, SeccompData.X86_64(nr, 0, 0, (ulong)i + 0x1_0000_0000)));
            Assert.Equal(Allow, ClassicBpfInterpreter.Run(program.Instructions, SeccompData.X86_64(nr, 0, 0, (ulong)i)));
        }
    }

    [Fact]
    public void CompileReturnsEightBytesPerInstruction()
    {
        var config = Config("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", ["read"]));
        var program = SeccompCompiler.CompileProgram(config);
        var bytes = SeccompCompiler.Compile(config);
        Assert.Equal(program.Length * 8, bytes.Length);
        Assert.Equal(program.Instructions, BpfInstruction.FromBytes(bytes));
        // First instruction: ld [4] (the arch), little-endian struct sock_filter.
        Assert.Equal(new byte[] { 0x20, 0, 0, 0, 4, 0, 0, 0 }, bytes[..8]);
    }
}
