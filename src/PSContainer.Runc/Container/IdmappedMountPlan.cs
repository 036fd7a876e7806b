using System.Globalization;
using PSContainer.Oci;
using PSContainer.Runc.Process;
using static PSContainer.Runc.Container.MountOptions;

namespace PSContainer.Runc.Container;

/// <summary>
/// Idmapped bind mounts (the runtime spec's <c>mounts[].uidMappings/gidMappings</c> and the
/// <c>idmap</c>/<c>ridmap</c> options, with runc 1.2's rules): which mounts are idmapped, with which
/// user namespace, and the stage-0 steps that prepare them.
/// </summary>
/// <remarks>
/// Where the work happens follows from the kernel's rules (mount_setattr(2)): only a detached mount
/// (open_tree OPEN_TREE_CLONE) can be idmapped, and only by a task with CAP_SYS_ADMIN over the user
/// namespace that owns the file system — the host's for a host directory. The container's init may
/// already live in its own user namespace when it sets up mounts, so psc-nsexec makes the detached,
/// idmapped trees in stage 0 (the runtime's namespaces, before any namespace is joined or cloned),
/// keeps their fds across the clone, and the init attaches each one with move_mount where the bind
/// would have gone. The user namespace that carries the mapping is the mount's own mappings, or the
/// container's (a new one: a namespace with the same maps, which is all the kernel reads from it; a
/// joined one: opened by its path before stage 0 joins it).
/// </remarks>
public static class IdmappedMountPlan
{
    /// <summary>The kernel's limit on lines in uid_map/gid_map (user_namespaces(7)).</summary>
    private const int MaxMapLines = 340;

    /// <summary>
    /// Validates the idmapped mounts of <paramref name="spec"/> and adds their stage-0 steps to
    /// <paramref name="plan"/>. Returns the slot holding each idmapped mount's detached tree, by mount index.
    /// </summary>
    public static IReadOnlyDictionary<int, int> AddDetachedTrees(Plan plan, Spec spec)
    {
        var mounts = spec.Mounts ?? [];
        var wanted = new List<(int Index, Mount Mount, MountOptions Options, string UidMap, string GidMap, string? NsPath)>();
        for (var i = 0; i < mounts.Count; i++)
        {
            var m = mounts[i];
            var field = $"mounts[{i}]";
            var options = Parse(m.Options, field + ".options");
            var hasMaps = m.UidMappings is { Count: > 0 } || m.GidMappings is { Count: > 0 };
            if (options.Idmap == IdmapKind.None && !hasMaps)
            {
                continue;
            }
            if (!(options.IsBind || m.Type == "bind"))
            {
                throw new RuncException($"config.json: {field}: idmapped mounts are only supported for bind mounts (type \"{m.Type}\")");
            }
            if (string.IsNullOrEmpty(m.Source))
            {
                throw new RuncException($"config.json: {field}.source must be set for a bind mount");
            }
            var (uidMap, gidMap, nsPath) = hasMaps ? OwnMappings(m, field) : ContainerMappings(spec, field);
            wanted.Add((i, m, options, uidMap, gidMap, nsPath));
        }

        var trees = new Dictionary<int, int>();
        var userNsSlots = new Dictionary<string, int>(StringComparer.Ordinal);
        var nextSlot = 0;
        for (var k = 0; k < wanted.Count; k++)
        {
            var (index, m, options, uidMap, gidMap, nsPath) = wanted[k];
            var key = nsPath ?? uidMap + "|" + gidMap;
            if (!userNsSlots.TryGetValue(key, out var nsSlot))
            {
                nsSlot = userNsSlots[key] = nextSlot++;
                plan.Add(nsPath is not null
                    ? new PlanStep(PlanOp.UserNs, $"open user namespace {nsPath} for idmapped mounts", [nsSlot], [], [], PlanStep.Utf8(nsPath))
                    : new PlanStep(PlanOp.UserNs, $"make a user namespace for idmapped mounts (uid map \"{OneLine(uidMap)}\", gid map \"{OneLine(gidMap)}\")",
                        [nsSlot], PlanStep.Utf8(uidMap), PlanStep.Utf8(gidMap))
                    {
                        HintErrno = Interop.Linux.Errno.EINVAL,
                        Hint = "the kernel refused the id mapping (overlapping ranges?)",
                    });
            }
            var lastUse = !wanted.Skip(k + 1).Any(w => (w.NsPath ?? w.UidMap + "|" + w.GidMap) == key);
            var flags = ((options.Flags & MS_REC) != 0 ? IdmapTreeFlags.CloneRecursive : 0)
                | (options.Idmap == IdmapKind.Recursive ? IdmapTreeFlags.IdmapRecursive : 0)
                | (lastUse ? IdmapTreeFlags.LastUseOfUserNs : 0);
            var treeSlot = nextSlot++;
            var dest = PlanBuilder.CleanContainerPath(m.Destination);
            plan.Add(new PlanStep(PlanOp.IdmapTree, $"idmap {m.Source} for mounts[{index}] ({dest})", [treeSlot, nsSlot, (long)flags],
                PlanStep.Utf8(m.Source))
            {
                HintErrno = Interop.Linux.Errno.EINVAL,
                Hint = $"mounts[{index}]: the file system of {m.Source} does not support idmapped mounts" +
                    (options.Idmap == IdmapKind.Recursive ? " (ridmap: nor may any mount below it)" : ""),
            });
            trees[index] = treeSlot;
        }
        return trees;
    }

    /// <summary>The mount's own mappings: both must be given (runc 1.2), with positive sizes.</summary>
    private static (string, string, string?) OwnMappings(Mount m, string field)
    {
        if (m.UidMappings is not { Count: > 0 } || m.GidMappings is not { Count: > 0 })
        {
            throw new RuncException($"config.json: {field}: an idmapped mount needs both uidMappings and gidMappings");
        }
        return (MapText(m.UidMappings, field + ".uidMappings"), MapText(m.GidMappings, field + ".gidMappings"), null);
    }

    /// <summary>"idmap" without mappings takes the container's user namespace; without one it is an error (runtime spec).</summary>
    private static (string, string, string?) ContainerMappings(Spec spec, string field)
    {
        var user = spec.Linux?.Namespaces?.FirstOrDefault(n => n.Type == "user");
        if (user is null)
        {
            throw new RuncException($"config.json: {field}: \"idmap\" without uidMappings/gidMappings needs a user namespace, and linux.namespaces has none");
        }
        if (!string.IsNullOrEmpty(user.Path))
        {
            return ("", "", user.Path);
        }
        return (MapText(spec.Linux!.UidMappings, "linux.uidMappings"), MapText(spec.Linux.GidMappings, "linux.gidMappings"), null);
    }

    private static string MapText(List<LinuxIdMapping>? maps, string field)
    {
        if (maps is not { Count: > 0 })
        {
            throw new RuncException($"config.json: {field} must not be empty for an idmapped mount");
        }
        if (maps.Count > MaxMapLines)
        {
            throw new RuncException($"config.json: {field}: {maps.Count} entries, the kernel takes at most {MaxMapLines}");
        }
        for (var i = 0; i < maps.Count; i++)
        {
            if (maps[i].Size == 0)
            {
                throw new RuncException(string.Create(CultureInfo.InvariantCulture, $"config.json: {field}[{i}].size must be positive"));
            }
        }
        return PlanBuilder.MapText(maps);
    }

    private static string OneLine(string map) => map.TrimEnd('\n').Replace('\n', ',');
}
