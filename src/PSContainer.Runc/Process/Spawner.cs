using System.Runtime.InteropServices;
using PSContainer.Interop.Linux;

namespace PSContainer.Runc.Process;

/// <summary>
/// posix_spawn with a clean signal state and an explicit fd mapping: the only way the runtime
/// starts processes (psc-nsexec, hooks), so no managed code ever runs between fork and exec.
/// Stdio (0, 1, 2) is inherited unless the mapping replaces it.
/// </summary>
public static unsafe class Spawner
{
    private const string SelfFd = "/proc/self/fd/";

    public static int Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env, IReadOnlyList<FdMapping> mapping)
    {
        // Move every source above all targets first, so that no dup2 overwrites a source still to be copied.
        var floor = 3;
        foreach (var m in mapping)
        {
            floor = Math.Max(floor, Math.Max(m.Fd, m.Target) + 1);
        }
        var toClose = new List<int>();
        var moved = new List<FdMapping>();
        foreach (var m in mapping)
        {
            var high = Libc.Check(Libc.fcntl(m.Fd, 1030 /* F_DUPFD_CLOEXEC */, floor), "dup", $"fd {m.Fd}");
            toClose.Add(high);
            moved.Add(new FdMapping(high, m.Target));
        }
        // execve resolves a /proc/self/fd/N path after the dup2s, so N goes above every target too:
        // otherwise a mapping onto N (more fds with PSC_TRACE_FILE or --preserve-fds) would replace
        // the program, the sealed psc-nsexec copy, with another file (EACCES, or worse, a wrong exec).
        if (path.StartsWith(SelfFd, StringComparison.Ordinal)
            && int.TryParse(path.AsSpan(SelfFd.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var programFd))
        {
            var high = Libc.Check(Libc.fcntl(programFd, 1030 /* F_DUPFD_CLOEXEC */, floor), "dup", $"fd {programFd}");
            toClose.Add(high);
            path = SelfFd + high.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var actions = stackalloc byte[Libc.PosixSpawnFileActionsSize];
        var attr = stackalloc byte[Libc.PosixSpawnAttrSize];
        var empty = stackalloc byte[Libc.SigSetSize];
        var all = stackalloc byte[Libc.SigSetSize];
        Libc.posix_spawn_file_actions_init(actions);
        Libc.posix_spawnattr_init(attr);
        var strings = new List<IntPtrBox>();
        try
        {
            foreach (var m in moved)
            {
                CheckSpawn(Libc.posix_spawn_file_actions_adddup2(actions, m.Fd, m.Target), "posix_spawn_file_actions_adddup2");
            }
            // The workload inherits the signal mask and ignored dispositions through every execve:
            // .NET ignores SIGPIPE and blocks some signals, so start from a clean slate.
            Libc.sigemptyset(empty);
            Libc.sigfillset(all);
            CheckSpawn(Libc.posix_spawnattr_setsigmask(attr, empty), "posix_spawnattr_setsigmask");
            CheckSpawn(Libc.posix_spawnattr_setsigdefault(attr, all), "posix_spawnattr_setsigdefault");
            CheckSpawn(Libc.posix_spawnattr_setflags(attr, (short)(Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF)),
                "posix_spawnattr_setflags");

            var argvPtr = stackalloc byte*[argv.Count + 1];
            var envPtr = stackalloc byte*[env.Count + 1];
            Fill(argvPtr, argv, strings);
            Fill(envPtr, env, strings);
            var pathPtr = Marshal.StringToCoTaskMemUTF8(path);
            strings.Add(new IntPtrBox(pathPtr));
            int pid;
            var rc = Libc.posix_spawn(&pid, (byte*)pathPtr, actions, attr, argvPtr, envPtr);
            if (rc != 0)
            {
                throw new SyscallException("posix_spawn", path, rc);
            }
            return pid;
        }
        finally
        {
            foreach (var p in strings)
            {
                Marshal.FreeCoTaskMem(p.Value);
            }
            Libc.posix_spawn_file_actions_destroy(actions);
            Libc.posix_spawnattr_destroy(attr);
            foreach (var fd in toClose)
            {
                Libc.close(fd);
            }
        }
    }

    private static void Fill(byte** vector, IReadOnlyList<string> items, List<IntPtrBox> allocated)
    {
        for (var i = 0; i < items.Count; i++)
        {
            var p = Marshal.StringToCoTaskMemUTF8(items[i]);
            allocated.Add(new IntPtrBox(p));
            vector[i] = (byte*)p;
        }
        vector[items.Count] = null;
    }

    private static void CheckSpawn(int rc, string what)
    {
        if (rc != 0)
        {
            throw new SyscallException(what, null, rc);
        }
    }

}

/// <summary>"Give the child <see cref="Fd"/> as fd number <see cref="Target"/>".</summary>
public readonly record struct FdMapping(int Fd, int Target);

/// <summary>A native pointer in a list (a struct of ours, so ReadyToRun precompiles List&lt;IntPtrBox&gt;).</summary>
internal readonly record struct IntPtrBox(nint Value);
