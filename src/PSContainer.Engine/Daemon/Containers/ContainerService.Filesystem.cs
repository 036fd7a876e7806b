using System.Formats.Tar;
using PSContainer.Api;
using PSContainer.Engine.Core.Snapshots;
using PSContainer.Engine.Errors;
using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Daemon.Containers;

public sealed partial class ContainerService
{
    private static readonly HashSet<string> EngineManagedFiles = new(StringComparer.Ordinal) { "/etc/hostname", "/etc/hosts", "/etc/resolv.conf" };

    /// <summary>
    /// docker diff: what the container's writable layer changed, read from the overlay upper
    /// directory: a whiteout (char device 0/0) is a deletion, a path that exists in a lower layer
    /// is a modification, anything else an addition.
    /// </summary>
    public List<ContainerChange> Changes(string idOrName)
    {
        var container = store.Get(idOrName);
        if (snapshotter.Name != "overlayfs")
        {
            throw EngineException.NotImplemented($"changes are only computed for the overlayfs snapshotter, not {snapshotter.Name}");
        }
        var layers = snapshotter.LayerDirectories(container.Record.SnapshotKey);
        var upper = layers[0];
        var lowers = layers.Skip(1).ToList();
        var changes = new List<ContainerChange>();
        Walk(upper, "");
        return [.. changes.OrderBy(c => c.Path, StringComparer.Ordinal)];

        void Walk(string directory, string relative)
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
            {
                var name = Path.GetFileName(entry);
                var path = relative + "/" + name;
                var stat = PathStat.Lstat(entry);
                if (stat.FileType == Libc.S_IFCHR && stat.RdevMajor == 0 && stat.RdevMinor == 0)
                {
                    changes.Add(new ContainerChange { Path = path, Kind = 2 });
                    continue;
                }
                if (EngineManagedFiles.Contains(path) && stat.FileType == Libc.S_IFREG)
                {
                    continue; // mount points of the engine's bind mounts, not the container's doing (Docker's init layer)
                }
                var inLower = lowers.Any(lower => PathStat.Exists(Path.Combine(lower, path.TrimStart('/'))));
                changes.Add(new ContainerChange { Path = path, Kind = inLower ? 0 : 1 });
                if (stat.FileType == Libc.S_IFDIR)
                {
                    Walk(entry, path);
                }
            }
        }
    }

    /// <summary>docker export: the container's file system as a tar stream (mounted for the copy when it is not running).</summary>
    public async Task ExportAsync(string idOrName, Stream output, CancellationToken cancellationToken)
    {
        var container = store.Get(idOrName);
        string root;
        string? temporary = null;
        if (container.Record.State.HasTask && Directory.Exists(container.RootfsDirectory))
        {
            root = container.RootfsDirectory;
        }
        else
        {
            temporary = Directory.CreateTempSubdirectory("psc-export-").FullName;
            Mounter.MountAll(snapshotter.Mounts(container.Record.SnapshotKey), temporary);
            root = temporary;
        }
        try
        {
            await using var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
            await WriteTreeAsync(tar, root, "", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (temporary is not null)
            {
                Mounter.UnmountAll(temporary);
                Directory.Delete(temporary);
            }
        }
    }

    /// <summary>Writes a directory tree without following symbolic links (they are archived as links).</summary>
    private static async Task WriteTreeAsync(TarWriter tar, string directory, string relative, CancellationToken cancellationToken)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal))
        {
            var name = relative.Length == 0 ? Path.GetFileName(entry) : relative + "/" + Path.GetFileName(entry);
            var stat = PathStat.Lstat(entry);
            if (stat.FileType == Libc.S_IFSOCK)
            {
                continue; // sockets cannot be archived (Docker skips them too)
            }
            await tar.WriteEntryAsync(entry, name, cancellationToken).ConfigureAwait(false);
            if (stat.FileType == Libc.S_IFDIR)
            {
                await WriteTreeAsync(tar, entry, name, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
