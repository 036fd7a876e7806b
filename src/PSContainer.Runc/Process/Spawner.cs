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
    public static int Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env, IReadOnlyList<(int Fd, int Target)> mapping)
    {
        // Move every source above all targets first, so that no dup2 overwrites a source still to be copied.
        var floor = mapping.Count == 0 ? 3 : mapping.Max(m => Math.Max(m.Fd, m.Target)) + 1;
        var toClose = new List<int>();
        var moved = new List<(int Fd, int Target)>();
        foreach (var (fd, target) in mapping)
        {
            var high = Libc.Check(Libc.fcntl(fd, 1030 /* F_DUPFD_CLOEXEC */, floor), "dup", $"fd {fd}");
            toClose.Add(high);
            moved.Add((high, target));
        }

        var actions = stackalloc byte[Libc.PosixSpawnFileActionsSize];
        var attr = stackalloc byte[Libc.PosixSpawnAttrSize];
        var empty = stackalloc byte[Libc.SigSetSize];
        var all = stackalloc byte[Libc.SigSetSize];
        Libc.posix_spawn_file_actions_init(actions);
        Libc.posix_spawnattr_init(attr);
        var strings = new List<nint>();
        try
        {
            foreach (var (fd, target) in moved)
            {
                CheckSpawn(Libc.posix_spawn_file_actions_adddup2(actions, fd, target), "posix_spawn_file_actions_adddup2");
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
            strings.Add(pathPtr);
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
                Marshal.FreeCoTaskMem(p);
            }
            Libc.posix_spawn_file_actions_destroy(actions);
            Libc.posix_spawnattr_destroy(attr);
            foreach (var fd in toClose)
            {
                Libc.close(fd);
            }
        }
    }

    private static void Fill(byte** vector, IReadOnlyList<string> items, List<nint> allocated)
    {
        for (var i = 0; i < items.Count; i++)
        {
            var p = Marshal.StringToCoTaskMemUTF8(items[i]);
            allocated.Add(p);
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
