using System.Globalization;
using Microsoft.Win32.SafeHandles;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Diff;

/// <summary>
/// A directory that paths are resolved inside and never outside: every lookup goes through
/// openat2(RESOLVE_IN_ROOT), so "..", absolute symlinks and symlinked parent directories all stay
/// within the root, as if the root were "/" (the kernel does the walk; no check-then-use race).
/// Operations then act on the final name relative to the opened parent's fd.
/// </summary>
internal sealed class RootedDirectory : IDisposable
{
    private const ulong Resolve = Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_MAGICLINKS;
    private readonly SafeFileHandle _root;

    public RootedDirectory(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _root = new SafeFileHandle(
            Libc.Check(Libc.openat(Libc.AT_FDCWD, Path, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0), "open", Path),
            ownsHandle: true);
    }

    public string Path { get; }

    public int Fd => (int)_root.DangerousGetHandle();

    /// <summary>
    /// Splits a tar entry name into clean components: a leading "/" or "./" is dropped (tar
    /// entries are relative to the root), "." components vanish, and ".." is refused outright:
    /// no well-formed layer needs it, and refusing is clearer than silently clamping.
    /// </summary>
    public static string[] Clean(string name)
    {
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Contains(".."))
        {
            throw CoreException.InvalidArgument($"layer entry \"{name}\": \"..\" would leave the extraction root; refused");
        }
        if (parts.Any(p => p.Contains('\0', StringComparison.Ordinal)))
        {
            throw CoreException.InvalidArgument($"layer entry \"{name}\": NUL in the name");
        }
        return parts;
    }

    /// <summary>
    /// Opens the directory that holds the entry <paramref name="parts"/> (all but the last
    /// component), resolved inside the root; missing directories are created (mode 0755) when
    /// <paramref name="create"/> is set.
    /// </summary>
    public SafeFileHandle OpenParent(string[] parts, bool create, string entryName)
    {
        if (parts.Length <= 1)
        {
            return Reopen();
        }
        for (var attempt = 0; attempt < parts.Length + 1; attempt++)
        {
            var dir = string.Join('/', parts[..^1]);
            var fd = Libc.openat2(Fd, dir, (ulong)(Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC), 0, Resolve);
            if (fd >= 0)
            {
                return new SafeFileHandle(fd, ownsHandle: true);
            }
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno != Errno.ENOENT || !create)
            {
                throw new SyscallException($"open parent directory of layer entry \"{entryName}\" in", Path, errno);
            }
            CreateDirectories(parts[..^1], entryName);
        }
        throw CoreException.InvalidArgument($"layer entry \"{entryName}\": its parent directory could not be created in {Path}");
    }

    private void CreateDirectories(string[] dirParts, string entryName)
    {
        for (var i = 0; i < dirParts.Length; i++)
        {
            using var parent = i == 0 ? Reopen() : OpenExisting(string.Join('/', dirParts[..i]), entryName);
            if (Libc.mkdirat((int)parent.DangerousGetHandle(), dirParts[i], 0x1ED /* 0755 */) != 0)
            {
                var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno != Errno.EEXIST)
                {
                    throw new SyscallException($"mkdir {string.Join('/', dirParts[..(i + 1)])} for layer entry \"{entryName}\" in", Path, errno);
                }
            }
        }
    }

    private SafeFileHandle OpenExisting(string relative, string entryName)
    {
        var fd = Libc.openat2(Fd, relative, (ulong)(Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC), 0, Resolve);
        if (fd < 0)
        {
            throw SyscallException.FromLastError($"open {relative} for layer entry \"{entryName}\" in", Path);
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private SafeFileHandle Reopen() =>
        new(Libc.Check(Libc.openat(Fd, ".", Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0), "open", Path), ownsHandle: true);

    /// <summary>A path naming <paramref name="name"/> inside the opened directory, for calls that take paths only (xattrs).</summary>
    public static string ProcPath(SafeFileHandle directory, string name) =>
        string.Create(CultureInfo.InvariantCulture, $"/proc/self/fd/{directory.DangerousGetHandle()}/{name}");

    public void Dispose() => _root.Dispose();
}
