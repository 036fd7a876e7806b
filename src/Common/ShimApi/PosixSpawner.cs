using System.Runtime.InteropServices;
using System.Text;
using PSContainer.Interop.Linux;

namespace PSContainer.ShimApi;

/// <summary>
/// posix_spawn for the engine (a shim server, detached in a new session: its own process group, no
/// controlling terminal, none of the caller's terminal signals) and for the shim (runtime and
/// container processes): clean signal state (.NET ignores SIGPIPE and blocks signals on some
/// threads; a child must inherit neither), the given fds as 0, 1, 2 and extra fds mapped to fixed
/// numbers. No managed code runs in the child (glibc spawns with CLONE_VFORK and execs at once).
/// </summary>
public static unsafe class PosixSpawner
{
    /// <summary>Spawns <paramref name="path"/> and returns its pid; <paramref name="environment"/> replaces the
    /// caller's environment (null: the caller's own).</summary>
    public static int Spawn(string path, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment,
        int stdin, int stdout, int stderr, IReadOnlyList<(int Source, int Target)> extraFds, bool newSession = true)
    {
        environment ??= CurrentEnvironment();
        var actions = NativeMemory.AllocZeroed(Libc.PosixSpawnFileActionsSize);
        var attr = NativeMemory.AllocZeroed(Libc.PosixSpawnAttrSize);
        var signals = NativeMemory.AllocZeroed(Libc.SigSetSize);
        var strings = new List<nint>();
        try
        {
            Check(Libc.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init", path);
            Check(Libc.posix_spawnattr_init(attr), "posix_spawnattr_init", path);
            // dup2 clears close-on-exec on the target (glibc 2.29+ also when source == target).
            Check(Libc.posix_spawn_file_actions_adddup2(actions, stdin, 0), "posix_spawn_file_actions_adddup2 stdin", path);
            Check(Libc.posix_spawn_file_actions_adddup2(actions, stdout, 1), "posix_spawn_file_actions_adddup2 stdout", path);
            Check(Libc.posix_spawn_file_actions_adddup2(actions, stderr, 2), "posix_spawn_file_actions_adddup2 stderr", path);
            foreach (var (source, target) in extraFds)
            {
                Check(Libc.posix_spawn_file_actions_adddup2(actions, source, target), $"posix_spawn_file_actions_adddup2 {source}->{target}", path);
            }
            var flags = (short)(Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF);
            if (newSession)
            {
                flags |= Libc.POSIX_SPAWN_SETSID;
            }
            Check(Libc.posix_spawnattr_setflags(attr, flags), "posix_spawnattr_setflags", path);
            Libc.sigemptyset(signals);
            Check(Libc.posix_spawnattr_setsigmask(attr, signals), "posix_spawnattr_setsigmask", path);
            Libc.sigfillset(signals);
            Check(Libc.posix_spawnattr_setsigdefault(attr, signals), "posix_spawnattr_setsigdefault", path);

            var argv = stackalloc byte*[args.Count + 2];
            argv[0] = Utf8(path, strings);
            for (var i = 0; i < args.Count; i++)
            {
                argv[i + 1] = Utf8(args[i], strings);
            }
            argv[args.Count + 1] = null;
            var envp = stackalloc byte*[environment.Count + 1];
            var e = 0;
            foreach (var (name, value) in environment)
            {
                envp[e++] = Utf8($"{name}={value}", strings);
            }
            envp[e] = null;

            int pid;
            Check(Libc.posix_spawn(&pid, argv[0], actions, attr, argv, envp), "posix_spawn", path);
            return pid;
        }
        finally
        {
            Libc.posix_spawn_file_actions_destroy(actions);
            Libc.posix_spawnattr_destroy(attr);
            foreach (var s in strings)
            {
                NativeMemory.Free((void*)s);
            }
            NativeMemory.Free(actions);
            NativeMemory.Free(attr);
            NativeMemory.Free(signals);
        }
    }

    /// <summary>This process's environment as a dictionary (to copy and amend for a child).</summary>
    public static Dictionary<string, string> CurrentEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            result[(string)entry.Key] = (string?)entry.Value ?? "";
        }
        return result;
    }

    private static byte* Utf8(string value, List<nint> owned)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        var buffer = (byte*)NativeMemory.Alloc((nuint)count + 1);
        owned.Add((nint)buffer);
        Encoding.UTF8.GetBytes(value, new Span<byte>(buffer, count));
        buffer[count] = 0;
        return buffer;
    }

    /// <summary>posix_spawn* return the error number instead of setting errno.</summary>
    private static void Check(int result, string operation, string path)
    {
        if (result != 0)
        {
            throw new SyscallException(operation, path, result);
        }
    }
}
