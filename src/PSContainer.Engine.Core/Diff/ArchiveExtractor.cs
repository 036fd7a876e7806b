using System.Formats.Tar;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Diff;

/// <summary>How <see cref="ArchiveExtractor"/> treats what is already there and who owns what it creates.</summary>
public sealed class ExtractOptions
{
    /// <summary>docker cp's default: an existing directory is never replaced by a non-directory, nor the other way round.</summary>
    public bool NoOverwriteDirNonDir { get; init; }

    /// <summary>Owner for every created entry instead of the uid/gid in the archive (docker cp -a with a container user).</summary>
    public (uint Uid, uint Gid)? Owner { get; init; }
}

/// <summary>
/// The PUT side of <c>docker cp</c>: unpacks a tar stream into a directory inside a
/// <see cref="ScopedRoot"/>. Entry names are relative to that directory and may not leave it
/// (".." beyond it, a relative symlink pointing above it, a hard link to outside); parents are
/// looked up inside the container's root, so a symlinked parent leads where it leads in the
/// container and never to the host. An existing entry is replaced, except that directories merge;
/// owners, modes (setuid too), times and UTF-8 xattrs come from the archive. Unlike a layer, ".wh."
/// names are ordinary files here.
/// </summary>
public static class ArchiveExtractor
{
    private const string PaxXattrPrefix = "SCHILY.xattr.";

    /// <summary>Extracts into the canonical directory <paramref name="destination"/>; returns the number of entries written.</summary>
    public static int Extract(Stream tar, ScopedRoot root, string destination, ExtractOptions options)
    {
        var directoryTimes = new List<(string Path, DateTimeOffset Time)>();
        var count = 0;
        using var reader = new TarReader(tar, leaveOpen: true);
        while (NextEntry(reader) is { } entry)
        {
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
            {
                continue;
            }
            if (entry.Name.Contains('\0', StringComparison.Ordinal))
            {
                throw CoreException.InvalidArgument($"archive entry \"{entry.Name}\": NUL in the name");
            }
            var target = ContainerPath.JoinWithin(destination, entry.Name)
                ?? throw CoreException.InvalidArgument($"\"{entry.Name}\" is outside of \"{destination}\"");
            if (target == ContainerPath.Clean(destination))
            {
                continue; // "./": the destination itself keeps its metadata
            }
            using var parent = root.OpenOrCreateDirectory(ContainerPath.Parent(target));
            var name = ContainerPath.Name(target);
            var isDirectory = entry.EntryType == TarEntryType.Directory;
            if (!PrepareSlot(parent, name, isDirectory, target, destination, options))
            {
                // A directory over a directory: merge, and take the archive's metadata.
                SetMetadata(parent, name, entry, options, target);
                directoryTimes.Add((target, entry.ModificationTime));
                count++;
                continue;
            }
            Create(root, parent, name, entry, target, destination);
            if (entry.EntryType == TarEntryType.HardLink)
            {
                count++;
                continue; // the same inode as an earlier entry, which already set owner, mode and times
            }
            SetMetadata(parent, name, entry, options, target);
            if (isDirectory)
            {
                directoryTimes.Add((target, entry.ModificationTime));
            }
            else
            {
                SetTime(parent, name, entry.ModificationTime, target);
            }
            count++;
        }
        // Directory mtimes last: every entry created inside changed them.
        foreach (var (path, time) in Enumerable.Reverse(directoryTimes))
        {
            using var parent = root.OpenDirectory(ContainerPath.Parent(path));
            SetTime(parent, ContainerPath.Name(path), time, path);
        }
        return count;
    }

    private static TarEntry? NextEntry(TarReader reader)
    {
        try
        {
            return reader.GetNextEntry();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw CoreException.InvalidArgument($"the archive is not a valid tar stream: {e.Message}", e);
        }
    }

    /// <summary>Clears the place for a new entry; false when a directory meets a directory (they merge).</summary>
    private static bool PrepareSlot(SafeFileHandle parent, string name, bool isDirectory, string target, string destination, ExtractOptions options)
    {
        if (!ScopedRoot.TryLstatAt(parent, name, out var st))
        {
            return true;
        }
        var existingIsDirectory = st.FileType == Libc.S_IFDIR;
        if (options.NoOverwriteDirNonDir && existingIsDirectory && !isDirectory)
        {
            throw CoreException.InvalidArgument($"cannot overwrite directory \"{target}\" with non-directory \"{destination}\"");
        }
        if (options.NoOverwriteDirNonDir && !existingIsDirectory && isDirectory)
        {
            throw CoreException.InvalidArgument($"cannot overwrite non-directory \"{target}\" with directory \"{destination}\"");
        }
        if (existingIsDirectory && isDirectory)
        {
            return false;
        }
        ScopedRoot.RemoveTree(parent, name, target);
        return true;
    }

    private static void Create(ScopedRoot root, SafeFileHandle parent, string name, TarEntry entry, string target, string destination)
    {
        var parentFd = (int)parent.DangerousGetHandle();
        var mode = (uint)entry.Mode & 0xFFFu;
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                Check(Libc.mkdirat(parentFd, name, 0x1C0 /* 0700 until SetMetadata */), "mkdir", target);
                return;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                var fd = Libc.openat(parentFd, name, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0x180 /* 0600 */);
                Check(fd, "create", target);
                using (var stream = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, 1 << 16))
                {
                    entry.DataStream?.CopyTo(stream);
                }
                return;
            case TarEntryType.SymbolicLink:
                // The link text is kept as is (it is only ever followed inside the container), but a
                // relative one may not point above the destination, as Docker refuses too.
                if (!entry.LinkName.StartsWith('/') && !ContainerPath.IsWithin(destination, ContainerPath.Clean(ContainerPath.Parent(target) + "/" + entry.LinkName)))
                {
                    throw CoreException.InvalidArgument($"invalid symlink \"{target}\" -> \"{entry.LinkName}\"");
                }
                Check(Libc.symlinkat(entry.LinkName, parentFd, name), "symlink", target);
                return;
            case TarEntryType.HardLink:
                var linkTarget = ContainerPath.JoinWithin(destination, entry.LinkName);
                if (linkTarget is null || linkTarget == ContainerPath.Clean(destination))
                {
                    throw CoreException.InvalidArgument($"invalid hardlink \"{target}\" -> \"{entry.LinkName}\"");
                }
                using (var linkParent = root.OpenDirectory(ContainerPath.Parent(linkTarget)))
                {
                    // flags 0: a link to a symlink links the symlink itself, never what it points at.
                    Check(Libc.linkat((int)linkParent.DangerousGetHandle(), ContainerPath.Name(linkTarget), parentFd, name, 0), $"link to {linkTarget}", target);
                }
                return;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                var device = (PosixTarEntry)entry;
                var type = entry.EntryType == TarEntryType.CharacterDevice ? Libc.S_IFCHR : Libc.S_IFBLK;
                Check(Libc.mknodat(parentFd, name, type | mode, Libc.MakeDev((uint)device.DeviceMajor, (uint)device.DeviceMinor)), "mknod", target);
                return;
            case TarEntryType.Fifo:
                Check(Libc.mknodat(parentFd, name, Libc.S_IFIFO | mode, 0), "mkfifo", target);
                return;
            default:
                throw CoreException.InvalidArgument($"archive entry \"{entry.Name}\": unsupported tar entry type {entry.EntryType}");
        }
    }

    private static void SetMetadata(SafeFileHandle parent, string name, TarEntry entry, ExtractOptions options, string target)
    {
        var parentFd = (int)parent.DangerousGetHandle();
        var (uid, gid) = options.Owner ?? ((uint)entry.Uid, (uint)entry.Gid);
        Check(Libc.fchownat(parentFd, name, uid, gid, Libc.AT_SYMLINK_NOFOLLOW), "lchown", target);
        if (entry.EntryType != TarEntryType.SymbolicLink)
        {
            // After chown, which clears setuid and setgid. AT_SYMLINK_NOFOLLOW: if the container
            // put a symlink here meanwhile, this fails instead of changing what it points at.
            Check(Libc.fchmodat(parentFd, name, (uint)entry.Mode & 0xFFFu, Libc.AT_SYMLINK_NOFOLLOW), "chmod", target);
        }
        if (entry is PaxTarEntry pax)
        {
            foreach (var (key, value) in pax.ExtendedAttributes)
            {
                // Binary values arrive with U+FFFD (System.Formats.Tar decodes PAX as UTF-8) and overlayfs'
                // own attributes would steer the kernel: neither is restored.
                if (key.StartsWith(PaxXattrPrefix, StringComparison.Ordinal) && !value.Contains('\uFFFD', StringComparison.Ordinal)
                    && !key.StartsWith(PaxXattrPrefix + "trusted.overlay.", StringComparison.Ordinal))
                {
                    FileStat.SetXattr(ScopedRoot.FdPath(parent, name), key[PaxXattrPrefix.Length..], Encoding.UTF8.GetBytes(value));
                }
            }
        }
    }

    private static void SetTime(SafeFileHandle parent, string name, DateTimeOffset time, string target)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var remainder);
        try
        {
            FileStat.SetTimes((int)parent.DangerousGetHandle(), name, seconds, remainder * 100);
        }
        catch (SyscallException e)
        {
            throw new SyscallException("set times of", target, e.Errno);
        }
    }

    private static void Check(int result, string operation, string target)
    {
        if (result == -1)
        {
            throw new SyscallException(operation, target, Marshal.GetLastPInvokeError());
        }
    }
}
