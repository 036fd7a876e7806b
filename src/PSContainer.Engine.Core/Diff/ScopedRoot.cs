using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Diff;

/// <summary>
/// A container's root directory (a mounted snapshot, or <c>/proc/PID/root</c> of a running
/// container, which also shows its bind mounts and volumes) in which paths are looked up as the
/// container would, but never outside it: every open goes through openat2(RESOLVE_IN_ROOT |
/// RESOLVE_NO_MAGICLINKS), so "..", absolute symlinks and symlinked parents stay inside even if
/// the container changes the tree meanwhile. Operations act on (parent fd, name) with the last
/// element never followed. Errors are <see cref="SyscallException"/>s naming the container path,
/// never a host path.
/// </summary>
public sealed class ScopedRoot : IDisposable
{
    /// <summary>How many symlinks one lookup may follow before it is a loop (ELOOP), as Docker allows.</summary>
    public const int MaxSymlinks = 255;

    private const ulong InRoot = Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_MAGICLINKS;
    private readonly SafeFileHandle _root;

    /// <summary>Opens <paramref name="hostPath"/> as the root (a magic link such as /proc/PID/root is followed here, once).</summary>
    public ScopedRoot(string hostPath)
    {
        HostPath = hostPath;
        _root = new SafeFileHandle(
            Libc.Check(Libc.openat(Libc.AT_FDCWD, hostPath, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0), "open container root", hostPath),
            ownsHandle: true);
    }

    public string HostPath { get; }

    private int RootFd => (int)_root.DangerousGetHandle();

    /// <summary>
    /// The canonical path of <paramref name="path"/> inside the root: symlinks are followed as if
    /// the root were "/" (an absolute target restarts at the root, ".." stops at it); the last
    /// element is followed only when <paramref name="followLast"/>. Elements that do not exist are
    /// kept as written, so the caller's lstat reports ENOENT or ENOTDIR for the right path.
    /// </summary>
    public string Resolve(string path, bool followLast)
    {
        var resolved = new List<string>();
        var pending = new Stack<string>(Elements(path).Reverse());
        var links = 0;
        while (pending.Count > 0)
        {
            var element = pending.Pop();
            if (element == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }
                continue;
            }
            if (pending.Count == 0 && !followLast)
            {
                resolved.Add(element);
                break;
            }
            var candidate = "/" + string.Join('/', resolved.Append(element));
            if (!TryLstat(candidate, out var st, out _) || st.FileType != Libc.S_IFLNK)
            {
                resolved.Add(element);
                continue;
            }
            if (++links > MaxSymlinks)
            {
                throw new SyscallException("resolve", path, Errno.ELOOP);
            }
            var target = ReadLink(candidate);
            if (target.StartsWith('/'))
            {
                resolved.Clear();
            }
            foreach (var part in Elements(target).Reverse())
            {
                pending.Push(part);
            }
        }
        return "/" + string.Join('/', resolved);
    }

    private static IEnumerable<string> Elements(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");

    /// <summary>lstat of a cleaned path inside the root; false with errno (ENOENT, ENOTDIR, ...) when it cannot be reached.</summary>
    public unsafe bool TryLstat(string cleaned, out Libc.Statx st, out int errno)
    {
        st = default;
        if (cleaned == "/")
        {
            fixed (Libc.Statx* p = &st)
            {
                if (Libc.statx(RootFd, "", Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, p) == 0)
                {
                    errno = 0;
                    return true;
                }
            }
            errno = Marshal.GetLastPInvokeError();
            return false;
        }
        var parentFd = Libc.openat2(RootFd, Relative(ContainerPath.Parent(cleaned)), (ulong)(Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC), 0, InRoot);
        if (parentFd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return false;
        }
        using var parent = new SafeFileHandle(parentFd, ownsHandle: true);
        fixed (Libc.Statx* p = &st)
        {
            if (Libc.statx(parentFd, ContainerPath.Name(cleaned), Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, p) == 0)
            {
                errno = 0;
                return true;
            }
        }
        errno = Marshal.GetLastPInvokeError();
        return false;
    }

    /// <summary>lstat that throws (the errno tells a missing path from a parent that is not a directory).</summary>
    public Libc.Statx Lstat(string cleaned) =>
        TryLstat(cleaned, out var st, out var errno) ? st : throw new SyscallException("lstat", cleaned, errno);

    /// <summary>The text of the symlink at <paramref name="cleaned"/>.</summary>
    public string ReadLink(string cleaned)
    {
        using var parent = OpenDirectory(ContainerPath.Parent(cleaned));
        return ReadLinkAt(parent, ContainerPath.Name(cleaned), cleaned);
    }

    /// <summary>Opens a directory inside the root (O_PATH; symlinks on the way resolved inside the root).</summary>
    public SafeFileHandle OpenDirectory(string cleaned)
    {
        var fd = Libc.openat2(RootFd, Relative(cleaned), (ulong)(Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC), 0, InRoot);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw SyscallException.FromLastError("open directory", cleaned);
    }

    /// <summary>
    /// Opens the directory <paramref name="cleaned"/>, creating missing elements (mode 0755, owned by
    /// root) like mkdir -p; an element that exists but is not a directory fails with ENOTDIR.
    /// </summary>
    public SafeFileHandle OpenOrCreateDirectory(string cleaned)
    {
        var fd = Libc.openat2(RootFd, Relative(cleaned), (ulong)(Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC), 0, InRoot);
        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }
        var errno = Marshal.GetLastPInvokeError();
        if (errno != Errno.ENOENT || cleaned == "/")
        {
            throw new SyscallException("open directory", cleaned, errno);
        }
        using (var parent = OpenOrCreateDirectory(ContainerPath.Parent(cleaned)))
        {
            if (Libc.mkdirat((int)parent.DangerousGetHandle(), ContainerPath.Name(cleaned), 0x1ED /* 0755 */) != 0)
            {
                var mkdirErrno = Marshal.GetLastPInvokeError();
                if (mkdirErrno != Errno.EEXIST)
                {
                    throw new SyscallException("mkdir", cleaned, mkdirErrno);
                }
            }
        }
        return OpenDirectory(cleaned);
    }

    /// <summary>readlinkat on (directory fd, name).</summary>
    public static unsafe string ReadLinkAt(SafeFileHandle directory, string name, string pathForErrors)
    {
        var buffer = new byte[4096];
        fixed (byte* p = buffer)
        {
            var n = (long)Libc.readlinkat((int)directory.DangerousGetHandle(), name, p, (nuint)buffer.Length);
            return n >= 0 ? Encoding.UTF8.GetString(buffer, 0, (int)n) : throw SyscallException.FromLastError("readlink", pathForErrors);
        }
    }

    /// <summary>lstat of (directory fd, name).</summary>
    public static unsafe bool TryLstatAt(SafeFileHandle directory, string name, out Libc.Statx st)
    {
        fixed (Libc.Statx* p = &st)
        {
            return Libc.statx((int)directory.DangerousGetHandle(), name, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, p) == 0;
        }
    }

    /// <summary>Opens the directory (directory fd, name) for reading its entries, refusing a symlink in its place.</summary>
    public static SafeFileHandle OpenChildDirectory(SafeFileHandle directory, string name, string pathForErrors)
    {
        var fd = Libc.openat((int)directory.DangerousGetHandle(), name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw SyscallException.FromLastError("open directory", pathForErrors);
    }

    /// <summary>The names in an open directory (through /proc/self/fd, so nothing is looked up by path again).</summary>
    public static List<string> ListNames(SafeFileHandle directory) =>
        [.. Directory.EnumerateFileSystemEntries(FdPath(directory)).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    /// <summary>Removes (directory fd, name) and, for a directory, everything in it, without following any symlink.</summary>
    public static void RemoveTree(SafeFileHandle directory, string name, string pathForErrors)
    {
        if (!TryLstatAt(directory, name, out var st))
        {
            return;
        }
        if (st.FileType == Libc.S_IFDIR)
        {
            using (var child = OpenChildDirectory(directory, name, pathForErrors))
            {
                foreach (var entry in ListNames(child))
                {
                    RemoveTree(child, entry, pathForErrors + "/" + entry);
                }
            }
            if (Libc.unlinkat((int)directory.DangerousGetHandle(), name, Libc.AT_REMOVEDIR) != 0)
            {
                throw SyscallException.FromLastError("rmdir", pathForErrors);
            }
            return;
        }
        if (Libc.unlinkat((int)directory.DangerousGetHandle(), name, 0) != 0)
        {
            throw SyscallException.FromLastError("unlink", pathForErrors);
        }
    }

    /// <summary>"/proc/self/fd/N[/name]": a path for calls that take only paths (the last element is not followed by l* calls).</summary>
    public static string FdPath(SafeFileHandle directory, string? name = null) =>
        string.Create(CultureInfo.InvariantCulture, $"/proc/self/fd/{directory.DangerousGetHandle()}{(name is null ? "" : "/" + name)}");

    private static string Relative(string cleaned) => cleaned == "/" ? "." : cleaned.TrimStart('/');

    public void Dispose() => _root.Dispose();
}
