using System.Formats.Tar;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Snapshots;
using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Diff;

/// <summary>
/// Applies a layer tar to a directory: creates every entry with its type (files, directories,
/// symlinks, hard links, character and block devices, FIFOs), owner, mode (setuid, setgid and
/// sticky bits too), mtime and PAX "SCHILY.xattr." attributes (binary values too), and turns OCI whiteouts
/// (<c>.wh.NAME</c>, <c>.wh..wh..opq</c>) into deletions or into overlayfs whiteouts, as the
/// target needs. Every path is resolved inside the target (<see cref="RootedDirectory"/>).
/// </summary>
public static class LayerApplier
{
    public const string WhiteoutPrefix = ".wh.";
    public const string OpaqueWhiteout = ".wh..wh..opq";
    public const string OverlayOpaqueXattr = "trusted.overlay.opaque";
    private const string PaxXattrPrefix = "SCHILY.xattr.";

    /// <summary>Applies the uncompressed tar <paramref name="tar"/>; returns the bytes of file content written.</summary>
    public static long Apply(Stream tar, ApplyTarget target)
    {
        var preserveOwnership = Libc.geteuid() == 0;
        using var root = new RootedDirectory(target.Directory);
        var added = new HashSet<string>(StringComparer.Ordinal);
        var directoryTimes = new List<(string[] Parts, DateTimeOffset Time)>();
        long written = 0;
        // Binary PAX values (security.capability) come from the raw header bytes, see PaxHeaderRecorder.
        using var recorder = new PaxHeaderRecorder(tar);
        using var reader = new TarReader(recorder, leaveOpen: true);
        TarEntry? entry;
        while ((entry = reader.GetNextEntry()) is not null)
        {
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
            {
                continue;
            }
            var parts = RootedDirectory.Clean(entry.Name);
            if (parts.Length == 0)
            {
                continue; // "./": the root itself; its metadata belongs to the snapshotter
            }
            var name = parts[^1];
            if (parts[..^1].Any(p => p.StartsWith(WhiteoutPrefix + WhiteoutPrefix, StringComparison.Ordinal)))
            {
                continue; // inside aufs' hard link directory (".wh..wh.plnk/..."): bookkeeping, not content
            }
            if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
            {
                ApplyWhiteout(root, parts, entry.Name, target.Format, added);
                continue;
            }
            using var parent = root.OpenParent(parts, create: true, entry.Name);
            var parentFd = (int)parent.DangerousGetHandle();
            var relative = string.Join('/', parts);
            // An existing directory stays (contents merge, metadata is updated); anything else is replaced.
            if (PrepareSlot(parent, name, entry.EntryType == TarEntryType.Directory, entry.Name))
            {
                written += Create(root, parent, parentFd, name, entry);
            }
            added.Add(relative);
            SetMetadata(parent, parentFd, name, entry, preserveOwnership, recorder.Current);
            if (entry.EntryType == TarEntryType.Directory)
            {
                directoryTimes.Add((parts, entry.ModificationTime));
            }
        }
        // Directory mtimes last: every entry created inside a directory changed its mtime.
        foreach (var (parts, time) in directoryTimes)
        {
            using var parent = root.OpenParent(parts, create: false, string.Join('/', parts));
            SetTime((int)parent.DangerousGetHandle(), parts[^1], time);
        }
        return written;
    }

    /// <summary>
    /// Clears the place for a new entry. Returns false when the entry is a directory and a
    /// directory is already there (tar merges directories); anything else there is removed.
    /// </summary>
    private static bool PrepareSlot(SafeFileHandle parent, string name, bool isDirectory, string entryName)
    {
        if (!FileStat.TryLstat(RootedDirectory.ProcPath(parent, name), out var st))
        {
            return true;
        }
        if (isDirectory && st.FileType == Libc.S_IFDIR)
        {
            return false;
        }
        RemovePath(parent, name, st, entryName);
        return true;
    }

    private static void RemovePath(SafeFileHandle parent, string name, Libc.Statx st, string entryName)
    {
        if (st.FileType == Libc.S_IFDIR)
        {
            FileTree.DeleteRecursive(RootedDirectory.ProcPath(parent, name));
        }
        else if (Libc.unlinkat((int)parent.DangerousGetHandle(), name, 0) != 0)
        {
            throw SyscallException.FromLastError($"unlink (for layer entry \"{entryName}\")", name);
        }
    }

    private static long Create(RootedDirectory root, SafeFileHandle parent, int parentFd, string name, TarEntry entry)
    {
        var mode = (uint)entry.Mode & 0xFFFu;
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                Check(Libc.mkdirat(parentFd, name, 0x1C0 /* 0700 until SetMetadata */), "mkdir", entry);
                return 0;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                return WriteFile(parentFd, name, entry);
            case TarEntryType.SymbolicLink:
                // The link text is stored as is; it is only ever followed inside the container's root.
                Check(Libc.symlinkat(entry.LinkName, parentFd, name), "symlink", entry);
                return 0;
            case TarEntryType.HardLink:
                var targetParts = RootedDirectory.Clean(entry.LinkName);
                if (targetParts.Length == 0)
                {
                    throw CoreException.InvalidArgument($"layer entry \"{entry.Name}\": hard link to the root directory");
                }
                using (var targetParent = root.OpenParent(targetParts, create: false, entry.Name))
                {
                    // flags 0: a link to a symlink links the symlink itself, never what it points at.
                    Check(Libc.linkat((int)targetParent.DangerousGetHandle(), targetParts[^1], parentFd, name, 0), $"link to {entry.LinkName}", entry);
                }
                return 0;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                var device = (PosixTarEntry)entry;
                var type = entry.EntryType == TarEntryType.CharacterDevice ? Libc.S_IFCHR : Libc.S_IFBLK;
                Check(Libc.mknodat(parentFd, name, type | mode, Libc.MakeDev((uint)device.DeviceMajor, (uint)device.DeviceMinor)), "mknod", entry);
                return 0;
            case TarEntryType.Fifo:
                Check(Libc.mknodat(parentFd, name, Libc.S_IFIFO | mode, 0), "mkfifo", entry);
                return 0;
            default:
                throw CoreException.InvalidArgument($"layer entry \"{entry.Name}\": unsupported tar entry type {entry.EntryType}");
        }
    }

    private static long WriteFile(int parentFd, string name, TarEntry entry)
    {
        var fd = Libc.openat(parentFd, name, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0x180 /* 0600 */);
        Check(fd, "create", entry);
        using var stream = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, 1 << 16);
        if (entry.DataStream is { } data)
        {
            data.CopyTo(stream);
        }
        return entry.Length;
    }

    private static void SetMetadata(SafeFileHandle parent, int parentFd, string name, TarEntry entry, bool preserveOwnership,
        IReadOnlyDictionary<string, byte[]>? rawRecords)
    {
        if (preserveOwnership)
        {
            Check(Libc.fchownat(parentFd, name, (uint)entry.Uid, (uint)entry.Gid, Libc.AT_SYMLINK_NOFOLLOW), "lchown", entry);
        }
        if (entry.EntryType != TarEntryType.SymbolicLink)
        {
            // After chown, which clears setuid and setgid. The name was created by us just now (or
            // is a directory we merged into), so following it cannot leave the root.
            Check(Libc.fchmodat(parentFd, name, (uint)entry.Mode & 0xFFFu, 0), "chmod", entry);
        }
        if (entry is PaxTarEntry)
        {
            foreach (var (key, value) in rawRecords ?? new Dictionary<string, byte[]>())
            {
                // overlayfs' own attributes (opaque, redirect, metacopy, ...) would steer the
                // kernel's view of the layers; only whiteout entries may create them.
                if (key.StartsWith(PaxXattrPrefix, StringComparison.Ordinal) && !key.StartsWith(PaxXattrPrefix + "trusted.overlay.", StringComparison.Ordinal))
                {
                    FileStat.SetXattr(RootedDirectory.ProcPath(parent, name), key[PaxXattrPrefix.Length..], value);
                }
            }
        }
        if (entry.EntryType != TarEntryType.Directory)
        {
            SetTime(parentFd, name, entry.ModificationTime);
        }
    }

    private static void SetTime(int parentFd, string name, DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var remainder);
        FileStat.SetTimes(parentFd, name, seconds, remainder * 100);
    }

    private static void ApplyWhiteout(RootedDirectory root, string[] parts, string entryName, WhiteoutFormat format, HashSet<string> added)
    {
        var name = parts[^1];
        using var parent = root.OpenParent(parts, create: format == WhiteoutFormat.Overlay, entryName);
        var parentFd = (int)parent.DangerousGetHandle();
        var directory = string.Join('/', parts[..^1]);
        if (name == OpaqueWhiteout)
        {
            if (format == WhiteoutFormat.Overlay)
            {
                // The directory hides everything below it in lower layers.
                FileStat.SetXattr(RootedDirectory.ProcPath(parent, "."), OverlayOpaqueXattr, "y"u8);
            }
            else
            {
                // Remove what lower layers put here; keep what this layer already added.
                foreach (var child in Directory.EnumerateFileSystemEntries(RootedDirectory.ProcPath(parent, ".")))
                {
                    var childName = Path.GetFileName(child);
                    var childRelative = directory.Length == 0 ? childName : directory + "/" + childName;
                    if (!added.Contains(childRelative))
                    {
                        RemovePath(parent, childName, FileStat.Lstat(child), entryName);
                    }
                }
            }
            return;
        }
        if (name.StartsWith(WhiteoutPrefix + WhiteoutPrefix, StringComparison.Ordinal))
        {
            return; // aufs bookkeeping (".wh..wh.plnk", ".wh..wh.aufs"): not a deletion, not content
        }
        var victim = name[WhiteoutPrefix.Length..];
        if (victim.Length == 0 || victim is "." or "..")
        {
            throw CoreException.InvalidArgument($"layer entry \"{entryName}\": malformed whiteout");
        }
        if (FileStat.TryLstat(RootedDirectory.ProcPath(parent, victim), out var st))
        {
            RemovePath(parent, victim, st, entryName);
        }
        if (format == WhiteoutFormat.Overlay)
        {
            // overlayfs' whiteout: a character device 0/0 with the deleted name.
            if (Libc.mknodat(parentFd, victim, Libc.S_IFCHR, Libc.MakeDev(0, 0)) != 0)
            {
                throw SyscallException.FromLastError($"mknod whiteout for layer entry \"{entryName}\" in", root.Path);
            }
        }
    }

    private static void Check(int result, string operation, TarEntry entry)
    {
        if (result == -1)
        {
            throw new SyscallException($"{operation} (layer entry \"{entry.Name}\")", null, Marshal.GetLastPInvokeError());
        }
    }
}
