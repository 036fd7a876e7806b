using PSContainer.Engine.Core.Snapshots;
using PSContainer.Interop.Linux;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Diff;

/// <summary>What <c>docker diff</c> reports per path; the numbers are the Engine API's "Kind".</summary>
public enum ChangeKind
{
    Modified = 0,
    Added = 1,
    Deleted = 2,
}

/// <param name="Path">Absolute path inside the container ("/etc/hostname").</param>
public sealed record FileChange(string Path, ChangeKind Kind);

/// <summary>
/// Compares a snapshot with its parent: the change list for <c>docker diff</c>, a layer tar of the
/// changes with whiteouts for <c>docker commit</c>, and the whole tree as a tar for
/// <c>docker export</c>. On overlayfs the snapshot's own directory already is the difference;
/// on the copying snapshotter the two trees are compared file by file.
/// </summary>
public sealed class SnapshotDiffer
{
    private readonly ISnapshotter _snapshotter;
    private readonly string _tempRoot;

    public SnapshotDiffer(ISnapshotter snapshotter, string tempRoot)
    {
        _snapshotter = snapshotter;
        _tempRoot = tempRoot;
    }

    private bool IsOverlay => _snapshotter is OverlaySnapshotter;

    /// <summary>Changes of <paramref name="key"/> against its parent, sorted by path (parents before children).</summary>
    public IReadOnlyList<FileChange> Changes(string key)
    {
        var dirs = _snapshotter.LayerDirectories(key);
        var changes = new List<FileChange>();
        if (IsOverlay)
        {
            OverlayChanges(dirs[0], dirs.Skip(1).ToList(), "", changes);
        }
        else
        {
            var parent = _snapshotter.Stat(key).Parent;
            var parentFs = parent is null ? null : _snapshotter.LayerDirectories(parent)[0];
            TreeChanges(parentFs, dirs[0], "", changes);
        }
        changes.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return changes;
    }

    private static void OverlayChanges(string upper, IReadOnlyList<string> lowers, string relative, List<FileChange> changes)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(Path.Combine(upper, relative)))
        {
            var childRelative = relative.Length == 0 ? Path.GetFileName(path) : relative + "/" + Path.GetFileName(path);
            var st = FileStat.Lstat(path);
            var inLower = lowers.Any(l => FileStat.TryLstat(Path.Combine(l, childRelative), out _));
            if (IsWhiteout(st))
            {
                changes.Add(new FileChange("/" + childRelative, ChangeKind.Deleted));
                continue;
            }
            changes.Add(new FileChange("/" + childRelative, inLower ? ChangeKind.Modified : ChangeKind.Added));
            if (st.FileType == Libc.S_IFDIR)
            {
                if (inLower && IsOpaque(path))
                {
                    // Everything the lower layers had in here is hidden: report it deleted.
                    foreach (var lowerChild in lowers.Select(l => Path.Combine(l, childRelative)).Where(Directory.Exists)
                        .SelectMany(Directory.EnumerateFileSystemEntries).Select(Path.GetFileName).Distinct())
                    {
                        if (!FileStat.TryLstat(Path.Combine(path, lowerChild!), out _))
                        {
                            changes.Add(new FileChange("/" + childRelative + "/" + lowerChild, ChangeKind.Deleted));
                        }
                    }
                }
                OverlayChanges(upper, lowers, childRelative, changes);
            }
        }
    }

    /// <summary>Docker's rules: stat differences (mtime and size only for non-directories); a directory with changes inside is Modified.</summary>
    private static bool TreeChanges(string? oldRoot, string newRoot, string relative, List<FileChange> changes)
    {
        var changed = false;
        var newDir = Path.Combine(newRoot, relative);
        var oldDir = oldRoot is null ? null : Path.Combine(oldRoot, relative);
        var newNames = Directory.EnumerateFileSystemEntries(newDir).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        if (oldDir is not null && Directory.Exists(oldDir))
        {
            foreach (var oldPath in Directory.EnumerateFileSystemEntries(oldDir))
            {
                var name = Path.GetFileName(oldPath);
                if (!newNames.Contains(name))
                {
                    changes.Add(new FileChange("/" + Join(relative, name), ChangeKind.Deleted));
                    changed = true;
                }
            }
        }
        foreach (var name in newNames)
        {
            var childRelative = Join(relative, name!);
            var newSt = FileStat.Lstat(Path.Combine(newRoot, childRelative));
            Libc.Statx oldSt = default;
            var oldExists = oldRoot is not null && FileStat.TryLstat(Path.Combine(oldRoot, childRelative), out oldSt);
            if (!oldExists)
            {
                AddTree(newRoot, childRelative, newSt, changes);
                changed = true;
                continue;
            }
            var bothDirs = newSt.FileType == Libc.S_IFDIR && oldSt.FileType == Libc.S_IFDIR;
            var differs = newSt.Mode != oldSt.Mode || newSt.Uid != oldSt.Uid || newSt.Gid != oldSt.Gid
                || newSt.RdevMajor != oldSt.RdevMajor || newSt.RdevMinor != oldSt.RdevMinor
                || (!bothDirs && (newSt.Size != oldSt.Size || newSt.Mtime.Seconds != oldSt.Mtime.Seconds || newSt.Mtime.Nanoseconds != oldSt.Mtime.Nanoseconds))
                || (newSt.FileType == Libc.S_IFLNK && FileStat.ReadLink(Path.Combine(newRoot, childRelative)) != FileStat.ReadLink(Path.Combine(oldRoot!, childRelative)));
            if (bothDirs)
            {
                var index = changes.Count;
                var inner = TreeChanges(oldRoot, newRoot, childRelative, changes);
                if (differs || inner)
                {
                    changes.Insert(index, new FileChange("/" + childRelative, ChangeKind.Modified));
                    changed = true;
                }
            }
            else if (differs)
            {
                changes.Add(new FileChange("/" + childRelative, ChangeKind.Modified));
                if (newSt.FileType == Libc.S_IFDIR)
                {
                    AddTree(newRoot, childRelative, newSt, changes, includeSelf: false);
                }
                changed = true;
            }
        }
        return changed;
    }

    private static void AddTree(string root, string relative, Libc.Statx st, List<FileChange> changes, bool includeSelf = true)
    {
        if (includeSelf)
        {
            changes.Add(new FileChange("/" + relative, ChangeKind.Added));
        }
        if (st.FileType == Libc.S_IFDIR)
        {
            foreach (var child in Directory.EnumerateFileSystemEntries(Path.Combine(root, relative)))
            {
                var childRelative = Join(relative, Path.GetFileName(child));
                AddTree(root, childRelative, FileStat.Lstat(child), changes);
            }
        }
    }

    private static string Join(string relative, string name) => relative.Length == 0 ? name : relative + "/" + name;

    private static bool IsWhiteout(Libc.Statx st) => st.FileType == Libc.S_IFCHR && st.RdevMajor == 0 && st.RdevMinor == 0;

    private static bool IsOpaque(string directory) =>
        FileStat.GetXattr(directory, LayerApplier.OverlayOpaqueXattr) is [(byte)'y'];

    /// <summary>
    /// Writes the changes of <paramref name="key"/> as an uncompressed layer tar (OCI whiteouts for
    /// deletions, ".wh..wh..opq" for overlay's opaque directories) and returns its diff id.
    /// </summary>
    public Task<Digest> WriteLayerAsync(string key, Stream output, CancellationToken cancellationToken = default) =>
        WriteLayerAsync(key, output, null, cancellationToken);

    /// <summary>As above, leaving out the regular files whose container path <paramref name="exclude"/> names (mount points of the engine's own files).</summary>
    public async Task<Digest> WriteLayerAsync(string key, Stream output, Func<string, bool>? exclude, CancellationToken cancellationToken)
    {
        var source = _snapshotter.LayerDirectories(key)[0];
        var changes = Changes(key).Where(c => exclude is null || c.Kind == ChangeKind.Deleted || !exclude(c.Path)
            || FileStat.Lstat(Path.Combine(source, c.Path[1..])).FileType != Libc.S_IFREG).ToList();
        var hashing = new HashingWriteStream(output);
        var writer = new TarEntryWriter(hashing);
        await using (writer.ConfigureAwait(false))
        {
            var deletedUnder = new List<string>();
            foreach (var change in changes)
            {
                var relative = change.Path[1..];
                if (deletedUnder.Any(d => relative.StartsWith(d + "/", StringComparison.Ordinal)))
                {
                    continue; // inside something already deleted: the whiteout of the parent covers it
                }
                if (change.Kind == ChangeKind.Deleted)
                {
                    var parent = Path.GetDirectoryName(relative)!.Replace('\\', '/');
                    if (IsOverlay && parent.Length > 0 && IsOpaque(Path.Combine(source, parent)))
                    {
                        continue; // the opaque marker written with the directory covers it
                    }
                    var marker = (parent.Length == 0 ? "" : parent + "/") + LayerApplier.WhiteoutPrefix + Path.GetFileName(relative);
                    await writer.WriteMarkerAsync(marker, cancellationToken).ConfigureAwait(false);
                    deletedUnder.Add(relative);
                    continue;
                }
                var path = Path.Combine(source, relative);
                await writer.WriteAsync(path, relative, cancellationToken).ConfigureAwait(false);
                if (IsOverlay && FileStat.Lstat(path).FileType == Libc.S_IFDIR && IsOpaque(path))
                {
                    await writer.WriteMarkerAsync(relative + "/" + LayerApplier.OpaqueWhiteout, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        return hashing.Digest;
    }

    /// <summary>Writes the snapshot's whole tree (all layers merged) as a tar: <c>docker export</c>.</summary>
    public async Task ExportAsync(string key, Stream output, CancellationToken cancellationToken = default)
    {
        var dirs = _snapshotter.LayerDirectories(key);
        if (!IsOverlay || dirs.Count == 1)
        {
            await WriteTreeAsync(dirs[0], output, cancellationToken).ConfigureAwait(false);
            return;
        }
        // A read-only overlay with every layer as a lower directory: the merged tree, whiteouts
        // applied, without touching the snapshot's upper and work directories.
        Directory.CreateDirectory(_tempRoot);
        var target = Path.Combine(_tempRoot, "export-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(target);
        try
        {
            Mounter.Mount(new SnapshotMount("overlay", "overlay", ["ro", "lowerdir=" + string.Join(':', dirs)]), target);
            try
            {
                await WriteTreeAsync(target, output, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Mounter.UnmountAll(target);
            }
        }
        finally
        {
            Directory.Delete(target);
        }
    }

    private static async Task WriteTreeAsync(string root, Stream output, CancellationToken cancellationToken)
    {
        var writer = new TarEntryWriter(output);
        await using (writer.ConfigureAwait(false))
        {
            var pending = new Stack<string>();
            pending.Push("");
            while (pending.Count > 0)
            {
                var relative = pending.Pop();
                var children = Directory.EnumerateFileSystemEntries(Path.Combine(root, relative)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
                foreach (var name in children)
                {
                    var childRelative = Join(relative, name!);
                    var path = Path.Combine(root, childRelative);
                    await writer.WriteAsync(path, childRelative, cancellationToken).ConfigureAwait(false);
                }
                foreach (var name in Enumerable.Reverse(children))
                {
                    var childRelative = Join(relative, name!);
                    if (FileStat.Lstat(Path.Combine(root, childRelative)).FileType == Libc.S_IFDIR)
                    {
                        pending.Push(childRelative);
                    }
                }
            }
        }
    }

    /// <summary>Passes writes through and hashes them (the diff id of the layer being written).</summary>
    private sealed class HashingWriteStream(Stream inner) : Stream
    {
        private readonly System.Security.Cryptography.IncrementalHash _hash =
            System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);

        public Digest Digest => Digest.FromHash(_hash.GetCurrentHash());

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            inner.Write(buffer);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _hash.AppendData(buffer.Span);
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
