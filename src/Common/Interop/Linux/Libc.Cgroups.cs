using System.Runtime.InteropServices;

namespace PSContainer.Interop.Linux;

// Calls used by psc-runc's cgroup managers. The names carry the area (EntryPoint keeps the libc
// symbol) so they never collide with general-purpose declarations in other Libc.<Area>.cs files.
public static unsafe partial class Libc
{
    /// <summary>open(2) without O_CREAT (cgroup control files always exist or the write is wrong).
    /// Flag values are the callers' (O_* constants live in other Libc files being written in parallel).</summary>
    [LibraryImport(Name, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int cgroup_open(string path, int flags);

    [LibraryImport(Name, EntryPoint = "write", SetLastError = true)]
    internal static partial nint cgroup_write(int fd, byte* buffer, nuint count);

    [LibraryImport(Name, EntryPoint = "mkdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int cgroup_mkdir(string path, uint mode);

    [LibraryImport(Name, EntryPoint = "rmdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int cgroup_rmdir(string path);

    /// <summary>SYS_bpf on x86_64.</summary>
    public const long SYS_bpf = 321;

    /// <summary>bpf(2): glibc has no wrapper, so it goes through syscall(2).</summary>
    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    internal static partial long syscall_bpf(long number, int command, void* attr, uint size);
}
