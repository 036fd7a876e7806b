using PSContainer.Oci;
using PSContainer.Oci.Profiles;
using PSContainer.Runc.Security.Seccomp;
using Xunit;

namespace PSContainer.Runc.Tests.Security;

public sealed class DefaultSeccompProfileTests
{
    private const uint Eperm = 1, Enosys = 38;
    private const ulong CloneNewUser = 0x10000000, CloneNewNs = 0x20000, CloneFiles = 0x400, CloneNewTime = 0x80;
    private const ulong Sigchld = 17, ThreadFlags = 0x3D0F00; // what glibc's pthread_create passes

    /// <summary>Docker's default capability set.</summary>
    private static readonly string[] DockerDefaultCaps =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    private static IReadOnlyList<BpfInstruction> Compile(IReadOnlyCollection<string> caps) =>
        SeccompCompiler.CompileProgram(DefaultSeccompProfile.Create(caps)).Instructions;

    private static uint Call(IReadOnlyList<BpfInstruction> program, string name, params ulong[] args) =>
        ClassicBpfInterpreter.Run(program, SeccompData.X86_64(Number(name), args));

    private static int Number(string name, SeccompArchitecture arch = SeccompArchitecture.X86_64) =>
        SeccompArchitectures.TryGetSyscallNumber(arch, name, out var nr) ? nr : throw new ArgumentException(name);

    [Fact]
    public void EveryNameInTheProfileIsARealSyscall()
    {
        var profile = DefaultSeccompProfile.Create(["CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_MODULE", "CAP_SYS_TIME", "CAP_SYS_NICE",
            "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_RAWIO", "CAP_SYS_TTY_CONFIG", "CAP_DAC_READ_SEARCH", "CAP_SYS_CHROOT"]);
        var unknown = profile.Syscalls!.SelectMany(s => s.Names)
            .Where(n => !Enum.GetValues<SeccompArchitecture>().Any(a => SeccompArchitectures.TryGetSyscallNumber(a, n, out _)))
            .ToList();
        // Calls newer than the kernel headers the tables were generated from (Linux 6.1) are skipped
        // until the tables are regenerated; anything else unknown would be a typo.
        string[] newerThanHeaders =
        [
            "fchmodat2", "getxattrat", "setxattrat", "listxattrat", "removexattrat", "cachestat", "statmount",
            "listmount", "map_shadow_stack", "mseal", "futex_wake", "futex_wait", "futex_requeue",
        ];
        Assert.Empty(unknown.Except(newerThanHeaders));
        Assert.Equal("SCMP_ACT_ERRNO", profile.DefaultAction);
        Assert.Equal(1u, profile.DefaultErrnoRet);
    }

    [Fact]
    public void WhatABusyboxShellDoesIsAllowed()
    {
        var program = Compile(DockerDefaultCaps);
        foreach (var name in new[]
        {
            "read", "write", "openat", "close", "fstat", "newfstatat", "lseek", "mmap", "mprotect", "munmap", "brk",
            "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "ioctl", "readv", "writev", "access", "pipe2", "dup2",
            "getpid", "getppid", "getuid", "geteuid", "execve", "wait4", "kill", "uname", "fcntl", "getdents64",
            "getcwd", "chdir", "mkdir", "rmdir", "unlink", "rename", "chmod", "chown", "umask", "gettimeofday",
            "clock_gettime", "nanosleep", "clock_nanosleep", "exit_group", "set_tid_address", "set_robust_list",
            "prlimit64", "arch_prctl", "futex", "getrandom", "sysinfo", "statx", "poll", "select", "connect",
            "sendto", "recvfrom", "bind", "listen", "accept4", "setsockopt", "chroot", "setuid", "setgid", "capset",
            "ptrace", "rseq", "vfork", "fork", "sethostname_is_not_here",
        }.Where(n => n != "sethostname_is_not_here"))
        {
            Assert.True(SeccompAction.Allow == Call(program, name), $"{name} is not allowed");
        }
        Assert.Equal(SeccompAction.Allow, Call(program, "clone", Sigchld));
        Assert.Equal(SeccompAction.Allow, Call(program, "clone", ThreadFlags));
        Assert.Equal(SeccompAction.Allow, Call(program, "socket", 2 /* AF_INET */, 1, 0));
        Assert.Equal(SeccompAction.Allow, Call(program, "socket", 1 /* AF_UNIX */, 1, 0));
        Assert.Equal(SeccompAction.Allow, Call(program, "personality", 0xffffffff));
        Assert.Equal(SeccompAction.Allow, Call(program, "unshare", CloneFiles));
    }

    [Fact]
    public void DangerousCallsAreDeniedWithEperm()
    {
        var program = Compile(DockerDefaultCaps);
        var denied = SeccompAction.Errno | Eperm;
        foreach (var name in new[]
        {
            "kexec_load", "kexec_file_load", "reboot", "mount", "umount2", "pivot_root", "setns", "init_module",
            "finit_module", "delete_module", "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "acct",
            "swapon", "settimeofday", "clock_settime", "iopl", "ioperm", "open_by_handle_at", "userfaultfd",
            "io_uring_setup", "fsopen", "move_mount", "mbind", "syslog", "quotactl", "lookup_dcookie",
        })
        {
            Assert.True(denied == Call(program, name), $"{name}: {SeccompAction.Describe(Call(program, name))}");
        }
        Assert.Equal(denied, Call(program, "unshare", CloneNewUser));
        Assert.Equal(denied, Call(program, "unshare", CloneNewNs | CloneFiles));
        Assert.Equal(denied, Call(program, "unshare", CloneNewTime));
        Assert.Equal(denied, Call(program, "clone", CloneNewUser | Sigchld));
        Assert.Equal(denied, Call(program, "socket", 40 /* AF_VSOCK */, 1, 0));
        Assert.Equal(denied, Call(program, "personality", 0x0040000 /* ADDR_NO_RANDOMIZE */));
        // clone3 hides its flags in memory: ENOSYS makes libc fall back to the filtered clone.
        Assert.Equal(SeccompAction.Errno | Enosys, Call(program, "clone3"));
    }

    [Fact]
    public void CapabilitiesUnlockTheirSyscalls()
    {
        var admin = Compile([.. DockerDefaultCaps, "CAP_SYS_ADMIN"]);
        Assert.Equal(SeccompAction.Allow, Call(admin, "mount"));
        Assert.Equal(SeccompAction.Allow, Call(admin, "unshare", CloneNewUser));
        Assert.Equal(SeccompAction.Allow, Call(admin, "clone", CloneNewUser | Sigchld));
        Assert.Equal(SeccompAction.Allow, Call(admin, "clone3"));
        Assert.Equal(SeccompAction.Allow, Call(admin, "bpf"));
        Assert.Equal(SeccompAction.Errno | Eperm, Call(admin, "kexec_load"));

        var boot = Compile(["sys_boot"]);
        Assert.Equal(SeccompAction.Allow, Call(boot, "kexec_load"));
        Assert.Equal(SeccompAction.Allow, Call(boot, "reboot"));
        Assert.Equal(SeccompAction.Errno | Eperm, Call(boot, "mount"));

        Assert.Equal(SeccompAction.Allow, Call(Compile(["CAP_SYS_TIME"]), "clock_settime"));
        Assert.Equal(SeccompAction.Allow, Call(Compile(["CAP_SYS_MODULE"]), "finit_module"));
        Assert.Equal(SeccompAction.Allow, Call(Compile(["CAP_BPF"]), "bpf"));
        Assert.Equal(SeccompAction.Errno | Eperm, Call(Compile(["CAP_BPF"]), "perf_event_open"));
        Assert.Equal(SeccompAction.Allow, Call(Compile(["CAP_PERFMON"]), "perf_event_open"));
        Assert.Equal(SeccompAction.Errno | Eperm, Call(Compile([]), "chroot"));
    }

    [Fact]
    public void ThirtyTwoBitProgramsGetTheSameTreatment()
    {
        var program = Compile(DockerDefaultCaps);
        uint I386(string name, params ulong[] args) =>
            ClassicBpfInterpreter.Run(program, SeccompData.I386(Number(name, SeccompArchitecture.X86), args));
        Assert.Equal(SeccompAction.Allow, I386("read"));
        Assert.Equal(SeccompAction.Allow, I386("socketcall"));
        Assert.Equal(SeccompAction.Allow, I386("_llseek"));
        Assert.Equal(SeccompAction.Errno | Eperm, I386("kexec_load"));
        Assert.Equal(SeccompAction.Errno | Eperm, I386("unshare", CloneNewUser));
        Assert.Equal(SeccompAction.Errno | Eperm, I386("vm86"));
        var x32 = ClassicBpfInterpreter.Run(program, SeccompData.X86_64(Number("mount", SeccompArchitecture.X32)));
        Assert.Equal(SeccompAction.Errno | Eperm, x32);
    }

    [Fact]
    public void TheParameterlessProfileUsesTheDefaultCapabilities()
    {
        Assert.Equal(DockerDefaultCaps.Order(), DefaultSeccompProfile.DefaultCapabilities.Order());
        Assert.Equal(SeccompCompiler.Compile(DefaultSeccompProfile.Create(DockerDefaultCaps)), SeccompCompiler.Compile(DefaultSeccompProfile.Create()));
        Assert.NotEqual(SeccompCompiler.Compile(DefaultSeccompProfile.Create(["CAP_SYS_ADMIN"])), SeccompCompiler.Compile(DefaultSeccompProfile.Create()));
    }

    [Fact]
    public void TheProfileCompilesWithinTheKernelLimit()
    {
        var program = SeccompCompiler.CompileProgram(DefaultSeccompProfile.Create(DockerDefaultCaps));
        Assert.InRange(program.Length, 300, BpfInstruction.MaxInstructions);
        ClassicBpfInterpreter.Validate(program.Instructions);
    }
}
