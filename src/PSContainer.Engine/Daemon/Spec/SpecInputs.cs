using PSContainer.Engine.Daemon.Containers;
using PSContainer.Oci;

namespace PSContainer.Engine.Daemon.Spec;

/// <summary>Everything besides the container record that the OCI spec depends on, resolved by the caller.</summary>
/// <param name="User">The process identity, resolved through the image's /etc/passwd and /etc/group.</param>
/// <param name="NetworkNamespacePath">The network namespace to join: the engine's pinned one (bridge, none, user
/// networks) or, for NetworkMode container:ID, the other container's; null: the runtime makes a new one.</param>
/// <param name="CgroupsPath">The container's cgroup, e.g. "/pscontainer/&lt;id&gt;".</param>
/// <param name="DefaultSeccomp">Docker's default profile for the container's capability set (the profile allows
/// some system calls only with the matching capability), applied unless seccomp=unconfined or --privileged.</param>
/// <param name="InitPath">A static init binary (docker-init, tini-static) for --init; null: none found.</param>
/// <param name="ResolveVolume">Host directory of a named volume, for specs built without <paramref name="UserMounts"/>.</param>
/// <param name="UserMounts">The user's mounts, resolved by the volume service (-v, --mount, --tmpfs, anonymous
/// and --volumes-from); null: parsed from the HostConfig with <paramref name="ResolveVolume"/>.</param>
public sealed record SpecInputs(
    ResolvedUser User,
    string HostnamePath,
    string HostsPath,
    string ResolvConfPath,
    string CgroupsPath,
    string? NetworkNamespacePath = null,
    Func<IReadOnlyCollection<string>, LinuxSeccomp>? DefaultSeccomp = null,
    string? InitPath = null,
    Func<string, string>? ResolveVolume = null,
    string? HostHostname = null,
    IReadOnlyList<Mount>? UserMounts = null);

/// <summary>Where an init binary is mounted inside the container, as Docker does.</summary>
public static class InitBinary
{
    public const string ContainerPath = "/sbin/docker-init";

    /// <summary>The first static init found on the host, or null.</summary>
    public static string? Find() =>
        new[] { "/usr/bin/docker-init", "/usr/libexec/docker/docker-init", "/usr/bin/tini-static", "/usr/local/bin/docker-init" }
            .FirstOrDefault(File.Exists);
}
