using System.Runtime.InteropServices;
using System.Text;
using PSContainer.Interop.Linux;

namespace PSContainer.Shim.Processes;

/// <summary>What a spawned process gets: its argv, its fds 0, 1, 2 and any extra fds to pass on.</summary>
internal sealed record SpawnRequest(string Path, IReadOnlyList<string> Args, int Stdin, int Stdout, int Stderr)
{
    /// <summary>(source fd in the shim, fd number in the child); the source stays open in the shim.</summary>
    public IReadOnlyList<(int Source, int Target)> ExtraFds { get; init; } = [];

    /// <summary>Start the child in a new session (and so a new process group).</summary>
    public bool NewSession { get; init; }
}

/// <summary>
/// posix_spawn through P/Invoke. glibc runs the child with CLONE_VFORK and execs at once, so no
/// managed code runs in it. Signal dispositions and the mask are reset: .NET ignores SIGPIPE and
/// blocks signals on some threads, and a container process must not inherit either.
/// </summary>
internal static unsafe class Spawner
{
    public static int Spawn(SpawnRequest request, Reaper? reaper)
    {
        var actions = NativeMemory.AllocZeroed(Libc.PosixSpawnFileActionsSize);
        var attr = NativeMemory.AllocZeroed(Libc.PosixSpawnAttrSize);
        var signals = NativeMemory.AllocZeroed(Libc.SigSetSize);
        var strings = new List<nint>();
        try
        {
            Check(Libc.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init", request.Path);
            Check(Libc.posix_spawnattr_init(attr), "posix_spawnattr_init", request.Path);
            AddDup(actions, request.Stdin, 0, request.Path);
            AddDup(actions, request.Stdout, 1, request.Path);
            AddDup(actions, request.Stderr, 2, request.Path);
            foreach (var (source, target) in request.ExtraFds)
            {
                AddDup(actions, source, target, request.Path);
            }

            var flags = (short)(Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF);
            if (request.NewSession)
            {
                flags |= Libc.POSIX_SPAWN_SETSID;
            }
            Check(Libc.posix_spawnattr_setflags(attr, flags), "posix_spawnattr_setflags", request.Path);
            Libc.sigemptyset(signals);
            Check(Libc.posix_spawnattr_setsigmask(attr, signals), "posix_spawnattr_setsigmask", request.Path);
            Libc.sigfillset(signals);
            Check(Libc.posix_spawnattr_setsigdefault(attr, signals), "posix_spawnattr_setsigdefault", request.Path);

            var argv = stackalloc byte*[request.Args.Count + 2];
            argv[0] = Utf8(request.Path, strings);
            for (var i = 0; i < request.Args.Count; i++)
            {
                argv[i + 1] = Utf8(request.Args[i], strings);
            }
            argv[request.Args.Count + 1] = null;

            var environment = Environment.GetEnvironmentVariables();
            var envp = stackalloc byte*[environment.Count + 1];
            var e = 0;
            foreach (System.Collections.DictionaryEntry entry in environment)
            {
                envp[e++] = Utf8($"{entry.Key}={entry.Value}", strings);
            }
            envp[e] = null;

            int pid;
            Check(Libc.posix_spawn(&pid, argv[0], actions, attr, argv, envp), "posix_spawn", request.Path);
            reaper?.ChildSpawned();
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

    private static void AddDup(void* actions, int source, int target, string path)
    {
        // dup2 onto the same number would keep close-on-exec set; glibc (2.29+) clears it in that case.
        Check(Libc.posix_spawn_file_actions_adddup2(actions, source, target), $"posix_spawn_file_actions_adddup2 {source}->{target}", path);
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
