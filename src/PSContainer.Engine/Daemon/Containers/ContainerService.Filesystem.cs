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
                var index = changes.Count;
                changes.Add(new ContainerChange { Path = path, Kind = inLower ? 0 : 1 });
                if (stat.FileType == Libc.S_IFDIR)
                {
                    Walk(entry, path);
                    if (inLower && changes.Count == index + 1 && OnlyEngineMountPoints(entry, path))
                    {
                        changes.RemoveAt(index); // /etc copied up only for the engine's mount points: no change of the container's
                    }
                }
            }
        }
    }

    /// <summary>Does the upper directory hold nothing but the engine's own mount point files?</summary>
    private static bool OnlyEngineMountPoints(string directory, string path) =>
        Directory.EnumerateFileSystemEntries(directory).All(e => EngineManagedFiles.Contains(path + "/" + Path.GetFileName(e)));

    /// <summary>
    /// docker export: the container's file system as a tar stream (mounted for the copy when it is
    /// not running). The container's gate is held until the stream ends, as dockerd holds the
    /// container's lock for a copy: a start waits (it would mount the same layer a second time and
    /// write to it), and a removal waits too instead of deleting the layer under the reader.
    /// <paramref name="startResponse"/> is called once the export can go ahead (errors before it are
    /// plain HTTP errors) and returns the stream the tar is written to.
    /// </summary>
    public async Task ExportAsync(string idOrName, Func<Task<Stream>> startResponse, CancellationToken cancellationToken)
    {
        var container = store.Get(idOrName);
        await container.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (container.Record.State.Status is "removing" or "dead" || !store.TryGet(container.Id, out _))
            {
                throw EngineException.Conflict($"cannot export container {container.Id}: removal in progress");
            }
            await ExportLockedAsync(container, startResponse, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            container.Gate.Release();
        }
    }

    private async Task ExportLockedAsync(Container container, Func<Task<Stream>> startResponse, CancellationToken cancellationToken)
    {
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
            using var scoped = new Core.Diff.ScopedRoot(root);
            var output = await startResponse().ConfigureAwait(false);
            await Core.Diff.PathArchiver.WriteContentsAsync(scoped, "/", output, cancellationToken).ConfigureAwait(false);
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
}
