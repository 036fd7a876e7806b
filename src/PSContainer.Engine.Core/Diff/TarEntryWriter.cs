using System.Formats.Tar;
using System.Text;
using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Core.Diff;

/// <summary>
/// Writes files of a tree as tar entries with everything a layer must carry: type, mode
/// (setuid too), owner, mtime, symlink target, device numbers, PAX xattrs, and hard links as
/// link entries to the first path of the same inode written into this tar.
/// </summary>
internal sealed class TarEntryWriter : IAsyncDisposable
{
    private readonly TarWriter _tar;
    private readonly Dictionary<(ulong, uint, uint), string> _links = new();

    public TarEntryWriter(Stream output)
    {
        _tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
    }

    /// <summary>Writes <paramref name="path"/> (on disk) as the entry <paramref name="name"/> (relative, "/"-separated).</summary>
    public async Task WriteAsync(string path, string name, CancellationToken cancellationToken)
    {
        var st = FileStat.Lstat(path);
        var type = st.FileType;
        // PAX values are strings here (System.Formats.Tar): only attributes whose value is valid
        // UTF-8 can be carried; overlayfs' own attributes never belong in a layer.
        var xattrs = FileStat.ListXattrs(path)
            .Where(x => !x.Key.StartsWith("trusted.overlay.", StringComparison.Ordinal) && IsUtf8(x.Value))
            .ToDictionary(x => "SCHILY.xattr." + x.Key, x => Encoding.UTF8.GetString(x.Value));
        var entryName = type == Libc.S_IFDIR ? name.TrimEnd('/') + "/" : name;
        if (type != Libc.S_IFDIR && st.Nlink > 1)
        {
            var identity = (st.Ino, st.DevMajor, st.DevMinor);
            if (_links.TryGetValue(identity, out var first))
            {
                await WriteEntryAsync(new PaxTarEntry(TarEntryType.HardLink, entryName) { LinkName = first }, st, null, cancellationToken).ConfigureAwait(false);
                return;
            }
            _links[identity] = entryName;
        }
        var entryType = type switch
        {
            Libc.S_IFDIR => TarEntryType.Directory,
            Libc.S_IFREG => TarEntryType.RegularFile,
            Libc.S_IFLNK => TarEntryType.SymbolicLink,
            Libc.S_IFCHR => TarEntryType.CharacterDevice,
            Libc.S_IFBLK => TarEntryType.BlockDevice,
            Libc.S_IFIFO => TarEntryType.Fifo,
            _ => (TarEntryType?)null,
        };
        if (entryType is null)
        {
            return; // sockets are not part of an image
        }
        var entry = xattrs.Count > 0 ? new PaxTarEntry(entryType.Value, entryName, xattrs) : new PaxTarEntry(entryType.Value, entryName);
        if (entryType == TarEntryType.SymbolicLink)
        {
            entry.LinkName = FileStat.ReadLink(path);
        }
        else if (entryType is TarEntryType.CharacterDevice or TarEntryType.BlockDevice)
        {
            entry.DeviceMajor = (int)st.RdevMajor;
            entry.DeviceMinor = (int)st.RdevMinor;
        }
        if (entryType == TarEntryType.RegularFile)
        {
            var data = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            await using (data.ConfigureAwait(false))
            {
                await WriteEntryAsync(entry, st, data, cancellationToken).ConfigureAwait(false);
            }
            return;
        }
        await WriteEntryAsync(entry, st, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An empty regular file entry: whiteouts (".wh.name", ".wh..wh..opq").</summary>
    public Task WriteMarkerAsync(string name, CancellationToken cancellationToken) =>
        _tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            ModificationTime = DateTimeOffset.UnixEpoch,
        }, cancellationToken);

    private Task WriteEntryAsync(PaxTarEntry entry, Libc.Statx st, Stream? data, CancellationToken cancellationToken)
    {
        entry.Mode = (UnixFileMode)(st.Mode & 0xFFF);
        entry.Uid = (int)st.Uid;
        entry.Gid = (int)st.Gid;
        entry.ModificationTime = DateTimeOffset.FromUnixTimeSeconds(st.Mtime.Seconds).AddTicks(st.Mtime.Nanoseconds / 100);
        if (data is not null)
        {
            entry.DataStream = data;
        }
        return _tar.WriteEntryAsync(entry, cancellationToken);
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

    public ValueTask DisposeAsync() => _tar.DisposeAsync();
}
