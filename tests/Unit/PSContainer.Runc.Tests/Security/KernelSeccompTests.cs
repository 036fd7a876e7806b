using System.Runtime.InteropServices;
using PSContainer.Oci;
using PSContainer.Oci.Profiles;
using PSContainer.Runc.Security.Seccomp;
using Xunit;

namespace PSContainer.Runc.Tests.Security;

/// <summary>
/// Hands compiled filters to the real kernel, so its checker (not only our interpreter) accepts
/// them and they behave the same. Seccomp filters and no_new_privs belong to one thread, so each
/// test installs the filter on a dedicated thread that ends right after; the rest of the test
/// process is untouched. Installing the production filter into containers is psc-nsexec's job.
/// </summary>
public sealed unsafe partial class KernelSeccompTests
{
    private const int PrSetNoNewPrivs = 38;
    private const long SysSeccomp = 317, SysGetpid = 39, SysUnshare = 272, SysKexecLoad = 246, SysClone3 = 435, SysMount = 165;
    private const uint SeccompSetModeFilter = 1;

    [StructLayout(LayoutKind.Sequential)]
    private struct SockFprog
    {
        public ushort Length;
        public byte* Filter;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall3(long number, long a, long b, long c);

    /// <summary>Runs <paramref name="probe"/> on a new thread after installing <paramref name="program"/> there.</summary>
    private static T OnFilteredThread<T>(SeccompProgram program, Func<T> probe)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                if (prctl(PrSetNoNewPrivs, 1, 0, 0, 0) != 0)
                {
                    throw new InvalidOperationException($"PR_SET_NO_NEW_PRIVS: errno {Marshal.GetLastPInvokeError()}");
                }
                fixed (byte* filter = program.Filter)
                {
                    var prog = new SockFprog { Length = (ushort)program.Length, Filter = filter };
                    if (syscall3(SysSeccomp, SeccompSetModeFilter, (long)(uint)program.Flags, (long)&prog) != 0)
                    {
                        throw new InvalidOperationException($"the kernel refused the filter: errno {Marshal.GetLastPInvokeError()}");
                    }
                }
                result = probe();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return failure is null ? result : throw new InvalidOperationException("filtered thread failed", failure);
    }

    /// <summary>errno of a raw syscall, or 0 when it succeeded.</summary>
    private static int Errno(long number, long a = 0, long b = 0, long c = 0) =>
        syscall3(number, a, b, c) == -1 ? Marshal.GetLastPInvokeError() : 0;

    [Fact]
    public void TheKernelAcceptsAndEnforcesTheDefaultProfile()
    {
        var program = SeccompCompiler.CompileProgram(DefaultSeccompProfile.Create(["CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_SETGID"]));
        var (getpid, unshareUser, kexec, clone3, status) = OnFilteredThread(program, () => (
            Errno(SysGetpid),
            Errno(SysUnshare, 0x10000000 /* CLONE_NEWUSER */),
            Errno(SysKexecLoad),
            Errno(SysClone3),
            File.ReadAllText("/proc/thread-self/status")));
        Assert.Equal(0, getpid);
        Assert.Equal(1, unshareUser);  // EPERM
        Assert.Equal(1, kexec);        // EPERM
        Assert.Equal(38, clone3);      // ENOSYS
        Assert.Contains("Seccomp:\t2", status);
        Assert.Contains("NoNewPrivs:\t1", status);
        Assert.Contains("Seccomp:\t0", File.ReadAllText("/proc/thread-self/status")); // this thread is untouched
    }

    [Fact]
    public void TheKernelAcceptsProgramsWithFarJumps()
    {
        // Errno rules with an argument for many syscalls push the late ones past the 8-bit jump range.
        var names = SeccompArchitectures.SyscallNames(SeccompArchitecture.X86_64)
            .Where(n => n is not ("mount" or "getpid" or "futex" or "exit" or "madvise" or "munmap" or "rt_sigprocmask" or "sched_yield"))
            .Order(StringComparer.Ordinal).Take(200).Append("mount").ToList();
        var config = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Syscalls = names.Select(n => new LinuxSyscall
            {
                Names = [n],
                Action = "SCMP_ACT_ERRNO",
                ErrnoRet = 13,
                Args = [new() { Index = 0, Op = "SCMP_CMP_EQ", Value = 0xdead_0000_beef }],
            }).ToList(),
        };
        var program = SeccompCompiler.CompileProgram(config);
        Assert.True(program.Length > 256);
        var (matching, other, unrelated) = OnFilteredThread(program, () => (
            Errno(SysMount, unchecked((long)0xdead_0000_beef)),
            Errno(SysMount, 0xbeef),   // the low half alone does not match: mount runs and fails on its own (EFAULT)
            Errno(SysGetpid)));
        Assert.Equal(13, matching);
        Assert.NotEqual(13, other);
        Assert.Equal(0, unrelated);
    }
}
