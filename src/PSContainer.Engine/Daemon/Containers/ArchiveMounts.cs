using PSContainer.Engine.Core.Diff;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>A mount point of a container as far as docker cp cares: where, and whether it is writable.</summary>
public sealed record ArchiveMount(string Destination, bool ReadOnly);

/// <summary>
/// Which of a container's mounts (-v/--volume, --mount, --tmpfs, the image's anonymous volumes)
/// holds a path: the deepest mount point at or above it. docker cp uses it to refuse writes into a
/// read-only mount, and into a read-only rootfs unless the path is in a writable mount.
/// </summary>
public static class ArchiveMounts
{
    public static ArchiveMount? Covering(ContainerRecord record, string cleanedPath) =>
        All(record)
            .Where(m => ContainerPath.IsWithin(m.Destination, cleanedPath))
            .OrderByDescending(m => m.Destination.Length)
            .FirstOrDefault();

    public static IEnumerable<ArchiveMount> All(ContainerRecord record)
    {
        var host = record.HostConfig;
        foreach (var bind in host.Binds ?? [])
        {
            // "source:destination[:options]"; the options are comma-separated (ro, rw, z, rshared, ...).
            var parts = bind.Split(':');
            if (parts.Length >= 2 && parts[1].StartsWith('/'))
            {
                var readOnly = parts.Length >= 3 && parts[2].Split(',').Contains("ro", StringComparer.Ordinal);
                yield return new ArchiveMount(ContainerPath.Clean(parts[1]), readOnly);
            }
        }
        foreach (var mount in host.Mounts ?? [])
        {
            if (mount.Target is { Length: > 0 } target)
            {
                yield return new ArchiveMount(ContainerPath.Clean(target), mount.ReadOnly);
            }
        }
        foreach (var target in (host.Tmpfs ?? []).Keys)
        {
            yield return new ArchiveMount(ContainerPath.Clean(target), false);
        }
        foreach (var target in (record.Config.Volumes ?? []).Keys)
        {
            yield return new ArchiveMount(ContainerPath.Clean(target), false);
        }
    }
}
