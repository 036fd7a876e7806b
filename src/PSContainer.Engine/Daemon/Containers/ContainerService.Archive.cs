using PSContainer.Api;
using PSContainer.Engine.Core.Diff;
using PSContainer.Engine.Core.Snapshots;
using PSContainer.Engine.Daemon.Spec;
using PSContainer.Engine.Errors;
using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>
/// docker cp: stat (HEAD), read (GET) and write (PUT) a path inside a container, running or not.
/// A running container is seen through /proc/PID/root (its bind mounts, volumes and tmpfs
/// included); a stopped or created one through its snapshot, mounted for the operation with its
/// volumes and binds at their destinations (ContainerService.ArchiveView.cs; the container's gate
/// is held, so it cannot start or be removed meanwhile) and unmounted after. Paths follow Docker:
/// the directory part is resolved with symlinks followed inside the container, the last element
/// only with a trailing "/" or "/."; nothing ever resolves outside the container's root.
/// </summary>
public sealed partial class ContainerService
{
    /// <summary>HEAD /containers/{id}/archive: what the path is.</summary>
    public Task<ContainerPathStat> StatPathAsync(string idOrName, string path, CancellationToken cancellationToken)
    {
        var container = store.Get(idOrName);
        return WithContainerRootAsync(container, root => Task.FromResult(StatPath(root, container, idOrName, path).Stat), cancellationToken);
    }

    /// <summary>
    /// GET /containers/{id}/archive: stats the path (errors before anything is sent), lets the caller
    /// start the response with that stat, then writes the tar of the path to the stream it returns.
    /// </summary>
    public async Task ArchivePathAsync(string idOrName, string path, Func<ContainerPathStat, Task<Stream>> startResponse, CancellationToken cancellationToken)
    {
        var container = store.Get(idOrName);
        await WithContainerRootAsync(container, async root =>
        {
            var (stat, resolved) = StatPath(root, container, idOrName, path);
            var output = await startResponse(stat).ConfigureAwait(false);
            await PathArchiver.WriteAsync(root, resolved, stat.Name, output, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        Publish(container, "archive-path");
    }

    /// <summary>
    /// PUT /containers/{id}/archive: unpacks <paramref name="tar"/> into the directory at
    /// <paramref name="path"/> (its last element followed too, so a symlink to a directory works).
    /// Refused on a read-only rootfs unless the directory is in a writable mount.
    /// </summary>
    public async Task ExtractToDirectoryAsync(string idOrName, string path, Stream tar, bool noOverwriteDirNonDir, bool copyUidGid, CancellationToken cancellationToken)
    {
        var container = store.Get(idOrName);
        await WithContainerRootAsync(container, root =>
        {
            var absolute = ContainerPath.Absolute(path);
            var resolved = Translate(() => root.Resolve(absolute, followLast: true), idOrName, path);
            var st = Translate(() => root.Lstat(resolved), idOrName, path);
            if (st.FileType != Libc.S_IFDIR)
            {
                throw EngineException.InvalidParameter("extraction point is not a directory");
            }
            var mount = ArchiveMounts.Covering(container.Record, resolved);
            if (mount is null && container.Record.HostConfig.ReadonlyRootfs)
            {
                throw EngineException.InvalidParameter("container rootfs is marked read-only");
            }
            if (mount is { ReadOnly: true })
            {
                throw EngineException.InvalidParameter("mounted volume is marked read-only");
            }
            var options = new ExtractOptions { NoOverwriteDirNonDir = noOverwriteDirNonDir, Owner = CopyOwner(container, root, copyUidGid) };
            Translate(() => ArchiveExtractor.Extract(tar, root, resolved, options), idOrName, path);
            return Task.FromResult(true);
        }, cancellationToken).ConfigureAwait(false);
        Publish(container, "extract-to-dir");
    }

    /// <summary>
    /// docker cp -a: with a container user configured, everything is owned by that user (resolved
    /// through the container's /etc/passwd and /etc/group); otherwise the archive's owners stay.
    /// </summary>
    private static (uint, uint)? CopyOwner(Container container, ScopedRoot root, bool copyUidGid)
    {
        if (!copyUidGid || string.IsNullOrEmpty(container.Record.Config.User))
        {
            return null;
        }
        var user = UserResolver.Resolve(container.Record.Config.User, root.HostPath);
        return (user.Uid, user.Gid);
    }

    /// <summary>Docker's stat of a requested path, and the canonical path the archive reads.</summary>
    private static (ContainerPathStat Stat, string Resolved) StatPath(ScopedRoot root, Container container, string idOrName, string path)
    {
        _ = container;
        var absolute = ContainerPath.Absolute(path);
        var (directory, last) = ContainerPath.Split(absolute);
        var resolvedDirectory = Translate(() => root.Resolve(directory, followLast: true), idOrName, path);
        var resolved = last is "" or "." ? resolvedDirectory : ContainerPath.Clean(resolvedDirectory + "/" + last);
        var st = Translate(() => root.Lstat(resolved), idOrName, path);
        var linkTarget = st.FileType == Libc.S_IFLNK ? Translate(() => root.Resolve(resolved, followLast: true), idOrName, path) : "";
        return (new ContainerPathStat
        {
            Name = ContainerPath.BaseName(absolute),
            Size = (long)st.Size,
            Mode = GoFileMode.From(st.Mode),
            Mtime = GoTimestamp(st.Mtime.Seconds, st.Mtime.Nanoseconds),
            LinkTarget = linkTarget,
        }, resolved);
    }

    /// <summary>Go's RFC 3339 with nanoseconds, trailing zeros dropped ("2024-01-01T00:00:00Z", "…:18.1194Z"), as dockerd writes times.</summary>
    public static string GoTimestamp(long seconds, uint nanoseconds)
    {
        var text = DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        if (nanoseconds != 0)
        {
            text += "." + nanoseconds.ToString("D9", System.Globalization.CultureInfo.InvariantCulture).TrimEnd('0');
        }
        return text + "Z";
    }

    /// <summary>Turns file system errors into Docker's answers: 404 for a missing path, 400 for a parent that is not a directory.</summary>
    private static T Translate<T>(Func<T> action, string idOrName, string path)
    {
        try
        {
            return action();
        }
        catch (SyscallException e) when (e.Errno == Errno.ENOENT)
        {
            throw EngineException.NotFound($"Could not find the file {path} in container {idOrName}");
        }
        catch (SyscallException e) when (e.Errno is Errno.ENOTDIR or Errno.ELOOP or Errno.EROFS or Errno.ENAMETOOLONG or Errno.EEXIST or Errno.ENOTEMPTY or Errno.EISDIR)
        {
            throw EngineException.InvalidParameter($"{e.Operation} {e.Target}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(e.Errno).ToLowerInvariant()}", e);
        }
    }

    /// <summary>
    /// Runs <paramref name="operation"/> over the container's root: /proc/PID/root while it runs,
    /// else its mounted rootfs (the bundle's while a task still holds it, or a temporary mount).
    /// </summary>
    private async Task<T> WithContainerRootAsync<T>(Container container, Func<ScopedRoot, Task<T>> operation, CancellationToken cancellationToken)
    {
        await container.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var gateHeld = true;
        string? temporary = null;
        string? viewUser = null;
        ScopedRoot? root = null;
        try
        {
            var state = container.Record.State;
            if (state.Status is "removing" or "dead")
            {
                throw EngineException.Conflict($"container {container.Id} is marked for removal");
            }
            if (state.HasTask && state.Pid > 0 && state.Status is "running" or "paused" && TryOpen($"/proc/{state.Pid}/root") is { } live)
            {
                root = live;
                // The fd pins the container's root; a stop meanwhile does not need to wait for a long copy.
                container.Gate.Release();
                gateHeld = false;
            }
            else if (state.HasTask && File.Exists(Path.Combine(container.BundleDirectory, PSContainer.ShimApi.ShimPaths.RootfsMountedMarker)))
            {
                root = new ScopedRoot(container.RootfsDirectory);
            }
            else
            {
                temporary = Directory.CreateTempSubdirectory("psc-cp-").FullName;
                Mounter.MountAll(snapshotter.Mounts(container.Record.SnapshotKey), temporary);
                viewUser = MountVolumesForView(container, temporary);
                root = new ScopedRoot(temporary);
            }
            return await operation(root).ConfigureAwait(false);
        }
        finally
        {
            root?.Dispose();
            if (temporary is not null)
            {
                try
                {
                    Mounter.UnmountAll(temporary);
                    Directory.Delete(temporary);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Log.CleanupFailed(logger, container.Id, $"unmount {temporary}: {e.Message}");
                }
            }
            if (viewUser is not null)
            {
                ReleaseViewVolumes(container, viewUser);
            }
            if (gateHeld)
            {
                container.Gate.Release();
            }
        }
    }

    private static ScopedRoot? TryOpen(string path)
    {
        try
        {
            return new ScopedRoot(path);
        }
        catch (SyscallException)
        {
            return null; // the process is gone: fall back to the rootfs
        }
    }
}
