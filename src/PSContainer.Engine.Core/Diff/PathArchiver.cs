using System.Formats.Tar;
using System.Text;
using Microsoft.Win32.SafeHandles;
using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Diff;

/// <summary>
/// The tar stream of <c>docker cp CONTAINER:PATH</c>: one file system object inside a
/// <see cref="ScopedRoot"/> and, for a directory, everything below it, with type, mode, owner,
/// mtime, symlink text, device numbers, UTF-8 xattrs, and hard links as link entries. Entries are
/// named after the requested name (the "rebase" name), not after what a symlink resolved to.
/// The walk holds directory fds and opens every child with O_NOFOLLOW, so a container that swaps a
/// directory for a symlink meanwhile cannot make it read outside its root.
/// </summary>
public static class PathArchiver
{
    /// <summary>Writes the object at the canonical path <paramref name="resolved"/> (its last element not followed) as entries named <paramref name="rebaseName"/>[/...].</summary>
    public static async Task WriteAsync(ScopedRoot root, string resolved, string rebaseName, Stream output, CancellationToken cancellationToken)
    {
        var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await using (tar.ConfigureAwait(false))
        {
            var links = new Dictionary<(ulong, uint, uint), string>();
            using var parent = root.OpenDirectory(ContainerPath.Parent(resolved));
            var name = resolved == "/" ? "." : ContainerPath.Name(resolved);
            await WriteEntryAsync(tar, parent, name, rebaseName, resolved, links, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes what the directory <paramref name="resolved"/> contains, named relative to it
    /// ("bin/", "bin/sh", ...) without an entry for the directory itself: <c>docker export</c>.
    /// </summary>
    public static async Task WriteContentsAsync(ScopedRoot root, string resolved, Stream output, CancellationToken cancellationToken)
    {
        var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await using (tar.ConfigureAwait(false))
        {
            var links = new Dictionary<(ulong, uint, uint), string>();
            using var directory = root.OpenDirectory(resolved);
            foreach (var name in ScopedRoot.ListNames(directory))
            {
                await WriteEntryAsync(tar, directory, name, name, resolved.TrimEnd('/') + "/" + name, links, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task WriteEntryAsync(TarWriter tar, SafeFileHandle directory, string name, string entryName, string containerPath,
        Dictionary<(ulong, uint, uint), string> links, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!ScopedRoot.TryLstatAt(directory, name, out var st))
        {
            return; // gone since the directory was listed
        }
        var type = st.FileType;
        if (type == Libc.S_IFSOCK)
        {
            return; // tar cannot carry sockets (Docker skips them as well)
        }
        if (type == Libc.S_IFDIR)
        {
            using var child = ScopedRoot.OpenChildDirectory(directory, name, containerPath);
            var dirName = entryName.EndsWith('/') ? entryName : entryName + "/";
            await tar.WriteEntryAsync(NewEntry(TarEntryType.Directory, dirName, ScopedRoot.FdPath(directory, name), st), cancellationToken).ConfigureAwait(false);
            var prefix = entryName.TrimEnd('/') + "/";
            foreach (var childName in ScopedRoot.ListNames(child))
            {
                await WriteEntryAsync(tar, child, childName, prefix + childName, containerPath.TrimEnd('/') + "/" + childName, links, cancellationToken).ConfigureAwait(false);
            }
            return;
        }
        if (st.Nlink > 1)
        {
            var identity = (st.Ino, st.DevMajor, st.DevMinor);
            if (links.TryGetValue(identity, out var first))
            {
                var link = NewEntry(TarEntryType.HardLink, entryName, ScopedRoot.FdPath(directory, name), st);
                link.LinkName = first;
                await tar.WriteEntryAsync(link, cancellationToken).ConfigureAwait(false);
                return;
            }
            links[identity] = entryName;
        }
        switch (type)
        {
            case Libc.S_IFREG:
                await WriteFileAsync(tar, directory, name, entryName, containerPath, st, cancellationToken).ConfigureAwait(false);
                return;
            case Libc.S_IFLNK:
                var symlink = NewEntry(TarEntryType.SymbolicLink, entryName, ScopedRoot.FdPath(directory, name), st);
                symlink.LinkName = ScopedRoot.ReadLinkAt(directory, name, containerPath);
                await tar.WriteEntryAsync(symlink, cancellationToken).ConfigureAwait(false);
                return;
            case Libc.S_IFCHR or Libc.S_IFBLK:
                var device = NewEntry(type == Libc.S_IFCHR ? TarEntryType.CharacterDevice : TarEntryType.BlockDevice, entryName, ScopedRoot.FdPath(directory, name), st);
                device.DeviceMajor = (int)st.RdevMajor;
                device.DeviceMinor = (int)st.RdevMinor;
                await tar.WriteEntryAsync(device, cancellationToken).ConfigureAwait(false);
                return;
            case Libc.S_IFIFO:
                await tar.WriteEntryAsync(NewEntry(TarEntryType.Fifo, entryName, ScopedRoot.FdPath(directory, name), st), cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    private static async Task WriteFileAsync(TarWriter tar, SafeFileHandle directory, string name, string entryName, string containerPath, Libc.Statx st, CancellationToken cancellationToken)
    {
        var fd = Libc.openat((int)directory.DangerousGetHandle(), name, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw SyscallException.FromLastError("open", containerPath);
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        // The size comes from the lstat: files such as those in /proc report 0 and must be archived
        // as what the header says, and a file that changes meanwhile must not break the stream.
        var data = new FixedLengthStream(new FileStream(handle, FileAccess.Read, 1 << 16), (long)st.Size);
        await using (data.ConfigureAwait(false))
        {
            var entry = NewEntry(TarEntryType.RegularFile, entryName, ScopedRoot.FdPath(directory, name), st);
            entry.DataStream = data;
            await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
        }
    }

    private static PaxTarEntry NewEntry(TarEntryType type, string entryName, string pathForXattrs, Libc.Statx st)
    {
        // PAX values are strings (System.Formats.Tar): only attributes whose value is valid UTF-8 travel.
        var xattrs = FileStat.ListXattrs(pathForXattrs)
            .Where(x => !x.Key.StartsWith("trusted.overlay.", StringComparison.Ordinal) && IsUtf8(x.Value))
            .ToDictionary(x => "SCHILY.xattr." + x.Key, x => Encoding.UTF8.GetString(x.Value));
        var entry = xattrs.Count > 0 ? new PaxTarEntry(type, entryName, xattrs) : new PaxTarEntry(type, entryName);
        entry.Mode = (UnixFileMode)(st.Mode & 0xFFF);
        entry.Uid = (int)st.Uid;
        entry.Gid = (int)st.Gid;
        entry.ModificationTime = DateTimeOffset.FromUnixTimeSeconds(st.Mtime.Seconds).AddTicks(st.Mtime.Nanoseconds / 100);
        return entry;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static bool IsUtf8(byte[] value)
    {
        try
        {
            StrictUtf8.GetString(value);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>Exactly <c>length</c> bytes of a file: cut when it grew, padded with zeros when it shrank.</summary>
    private sealed class FixedLengthStream(Stream inner, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => true; // lets the tar writer take the length from here
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => _position;
            // The tar writer may "rewind" a stream it has not read yet; any other move is refused.
            set => _ = value == _position ? value : throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var want = (int)Math.Min(buffer.Length, length - _position);
            if (want <= 0)
            {
                return 0;
            }
            var n = inner.Read(buffer[..want]);
            if (n == 0)
            {
                buffer[..want].Clear(); // the file shrank: pad
                n = want;
            }
            _position += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var want = (int)Math.Min(buffer.Length, length - _position);
            if (want <= 0)
            {
                return 0;
            }
            var n = await inner.ReadAsync(buffer[..want], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                buffer.Span[..want].Clear();
                n = want;
            }
            _position += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) =>
            (origin == SeekOrigin.Current && offset == 0) || (origin == SeekOrigin.Begin && offset == _position) ? _position : throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
