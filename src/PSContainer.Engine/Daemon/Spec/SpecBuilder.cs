using System.Globalization;
using PSContainer.Api;
using PSContainer.Engine.Daemon.Containers;
using PSContainer.Engine.Errors;
using PSContainer.Oci;
using OciMount = PSContainer.Oci.Mount;
using OciSpec = PSContainer.Oci.Spec;

namespace PSContainer.Engine.Daemon.Spec;

/// <summary>
/// Turns a container record (merged config and HostConfig) into the OCI runtime spec the shim
/// hands to the runtime, with Docker's defaults: capabilities, masked and read-only paths, the
/// standard mounts, /etc/hosts, /etc/resolv.conf and /etc/hostname bound from the container's
/// directory, namespaces by network/pid/ipc/uts mode, cgroup resources, seccomp and rlimits.
/// Pure: no file system access, so tests assert the spec for a given request.
/// </summary>
public static class SpecBuilder
{
    public const string OciVersion = "1.2.0";

    public static OciSpec Build(ContainerRecord record, SpecInputs inputs)
    {
        var config = record.Config;
        var host = record.HostConfig;
        var privileged = host.Privileged;
        var security = SecurityOptions.Parse(host.SecurityOpt);

        var args = new List<string> { record.Path };
        args.AddRange(record.Args);
        var mounts = DefaultMounts(host, privileged);
        if (host.Init == true)
        {
            if (inputs.InitPath is null)
            {
                throw EngineException.InvalidParameter("--init needs a static init binary (docker-init or tini-static) on the host; none was found");
            }
            mounts.Add(Bind(inputs.InitPath, InitBinary.ContainerPath, readOnly: true));
            args.InsertRange(0, [InitBinary.ContainerPath, "--"]);
        }

        var networkHost = string.Equals(host.NetworkMode, "host", StringComparison.Ordinal);
        mounts.Add(Bind(inputs.ResolvConfPath, "/etc/resolv.conf", readOnly: false));
        mounts.Add(Bind(inputs.HostnamePath, "/etc/hostname", readOnly: false));
        mounts.Add(Bind(inputs.HostsPath, "/etc/hosts", readOnly: false));
        mounts.AddRange(inputs.UserMounts ?? UserMountBuilder.FromHostConfig(host, inputs.ResolveVolume));
        // A later mount on the same destination replaces an earlier default (a user's /dev/shm, say).
        mounts = DeduplicateByDestination(mounts);

        var capabilities = Capabilities(host, privileged);
        var nonRoot = inputs.User.Uid != 0;
        var spec = new OciSpec
        {
            OciVersion = OciVersion,
            Process = new OciProcess
            {
                Terminal = config.Tty,
                User = new User
                {
                    Uid = inputs.User.Uid,
                    Gid = inputs.User.Gid,
                    AdditionalGids = inputs.User.AdditionalGids.Count > 0 ? [.. inputs.User.AdditionalGids] : null,
                },
                Args = args,
                Env = ProcessEnv(config, record, inputs, networkHost),
                Cwd = string.IsNullOrEmpty(config.WorkingDir) ? "/" : config.WorkingDir,
                Capabilities = new LinuxCapabilities
                {
                    Bounding = [.. capabilities],
                    // A non-root process has no effective or permitted capabilities, as in Docker:
                    // the bounding set only limits what setuid binaries could gain.
                    Effective = nonRoot ? [] : [.. capabilities],
                    Permitted = nonRoot ? [] : [.. capabilities],
                },
                Rlimits = Rlimits(host.Ulimits),
                NoNewPrivileges = security.NoNewPrivileges ? true : null,
                OomScoreAdj = host.OomScoreAdj != 0 ? host.OomScoreAdj : null,
            },
            Root = new Root { Path = "rootfs", Readonly = host.ReadonlyRootfs ? true : null },
            // --uts=host shares the host's name and may not set one (the runtime refuses a hostname
            // without a UTS namespace); --network=host keeps a UTS namespace named like the host, as Docker does.
            Hostname = host.UTSMode == "host" ? null : networkHost ? inputs.HostHostname : Hostname(config, record.Id),
            Domainname = string.IsNullOrEmpty(config.Domainname) ? null : config.Domainname,
            Mounts = mounts,
            Linux = new Linux
            {
                Namespaces = Namespaces(host, inputs.NetworkNamespacePath),
                CgroupsPath = inputs.CgroupsPath,
                Resources = Resources(host, privileged),
                Sysctl = host.Sysctls is { Count: > 0 } ? new Dictionary<string, string>(host.Sysctls) : null,
                MaskedPaths = privileged ? null : [.. host.MaskedPaths ?? [.. DockerDefaults.MaskedPaths]],
                ReadonlyPaths = privileged ? null : [.. host.ReadonlyPaths ?? [.. DockerDefaults.ReadonlyPaths]],
                Seccomp = privileged || security.SeccompUnconfined ? null : security.SeccompProfile ?? inputs.DefaultSeccomp?.Invoke(capabilities),
                RootfsPropagation = "rprivate",
            },
        };
        return spec;
    }

    public static string Hostname(ContainerConfig config, string id) =>
        string.IsNullOrEmpty(config.Hostname) ? id[..12] : config.Hostname;

    private static List<string> ProcessEnv(ContainerConfig config, ContainerRecord record, SpecInputs inputs, bool networkHost)
    {
        var env = new List<string>();
        var configured = config.Env ?? [];
        if (!configured.Any(e => e.StartsWith("PATH=", StringComparison.Ordinal)))
        {
            env.Add("PATH=" + DockerDefaults.DefaultPath);
        }
        env.Add("HOSTNAME=" + (networkHost ? inputs.HostHostname ?? "" : Hostname(config, record.Id)));
        if (config.Tty)
        {
            env.Add("TERM=xterm");
        }
        if (inputs.User.Home is not null && !configured.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)))
        {
            env.Add("HOME=" + inputs.User.Home);
        }
        return ConfigMerger.MergeEnv(env, configured);
    }

    private static List<string> Capabilities(HostConfig host, bool privileged)
    {
        if (privileged)
        {
            return [.. DockerDefaults.AllCapabilities];
        }
        var caps = new List<string>(DockerDefaults.Capabilities);
        foreach (var add in host.CapAdd ?? [])
        {
            var name = NormalizeCap(add);
            if (name == "ALL")
            {
                caps = [.. DockerDefaults.AllCapabilities];
                continue;
            }
            if (!caps.Contains(name))
            {
                caps.Add(name);
            }
        }
        foreach (var drop in host.CapDrop ?? [])
        {
            var name = NormalizeCap(drop);
            if (name == "ALL")
            {
                // --cap-drop ALL --cap-add X keeps X: drops apply to the defaults, adds win.
                caps = [.. (host.CapAdd ?? []).Select(NormalizeCap).Where(c => c != "ALL")];
                continue;
            }
            caps.Remove(name);
        }
        return caps;
    }

    /// <summary>"net_admin", "NET_ADMIN", "CAP_NET_ADMIN" → "CAP_NET_ADMIN"; unknown names are a bad parameter.</summary>
    public static string NormalizeCap(string value)
    {
        var upper = value.Trim().ToUpperInvariant();
        if (upper == "ALL")
        {
            return upper;
        }
        var name = upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper : "CAP_" + upper;
        return DockerDefaults.AllCapabilities.Contains(name)
            ? name
            : throw EngineException.InvalidParameter($"unknown capability: \"{value}\"");
    }

    private static List<OciMount> DefaultMounts(HostConfig host, bool privileged)
    {
        var shmSize = host.ShmSize > 0 ? host.ShmSize : DockerDefaults.DefaultShmSize;
        return
        [
            new() { Destination = "/proc", Type = "proc", Source = "proc", Options = ["nosuid", "noexec", "nodev"] },
            new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
            new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
            new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", privileged ? "rw" : "ro"] },
            new() { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = ["nosuid", "noexec", "nodev", "relatime", privileged ? "rw" : "ro"] },
            new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
            new() { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=" + shmSize.ToString(CultureInfo.InvariantCulture)] },
        ];
    }

    private static OciMount Bind(string source, string destination, bool readOnly, string propagation = "rprivate") => new()
    {
        Destination = destination,
        Type = "bind",
        Source = source,
        Options = readOnly ? ["rbind", propagation, "ro"] : ["rbind", propagation],
    };

    /// <summary>One -v specification as an OCI mount, named volumes through <paramref name="resolveVolume"/> (parsing lives in <see cref="MountSpecParser"/>).</summary>
    public static OciMount ParseBind(string bind, Func<string, string>? resolveVolume) =>
        UserMountBuilder.ToOci([UserMountBuilder.Unresolved(MountSpecParser.ParseBind(bind))], point =>
            point.Type == "bind" ? point.Source
                : resolveVolume is not null && point.Name is not null ? resolveVolume(point.Name)
                : throw EngineException.InvalidParameter($"{(point.Name is null ? "an anonymous volume" : $"named volume '{point.Name}'")} cannot be used here"))[0];

    private static List<OciMount> DeduplicateByDestination(List<OciMount> mounts)
    {
        var result = new List<OciMount>();
        foreach (var mount in mounts)
        {
            var dest = mount.Destination.TrimEnd('/');
            result.RemoveAll(m => m.Destination.TrimEnd('/') == dest);
            result.Add(mount);
        }
        return result;
    }

    private static List<LinuxNamespace> Namespaces(HostConfig host, string? networkNamespacePath)
    {
        var namespaces = new List<LinuxNamespace> { new() { Type = "mount" } };
        var network = host.NetworkMode ?? "";
        if (network.StartsWith("container:", StringComparison.Ordinal))
        {
            namespaces.Add(new LinuxNamespace
            {
                Type = "network",
                Path = networkNamespacePath ?? throw EngineException.InvalidParameter($"network mode {network}: the container is not running"),
            });
        }
        else if (network != "host")
        {
            // "none", "bridge", "default" and named networks: a network namespace of its own, made and
            // wired by the engine before the task starts (the path), or a fresh one from the runtime.
            namespaces.Add(new LinuxNamespace { Type = "network", Path = networkNamespacePath });
        }
        if (host.PidMode != "host")
        {
            namespaces.Add(new LinuxNamespace { Type = "pid" });
        }
        if (host.IpcMode != "host")
        {
            namespaces.Add(new LinuxNamespace { Type = "ipc" });
        }
        if (host.UTSMode != "host")
        {
            namespaces.Add(new LinuxNamespace { Type = "uts" });
        }
        if (host.CgroupnsMode == "private")
        {
            namespaces.Add(new LinuxNamespace { Type = "cgroup" });
        }
        return namespaces;
    }

    private static LinuxResources Resources(HostConfig host, bool privileged)
    {
        var resources = new LinuxResources
        {
            Devices = privileged ? [new LinuxDeviceCgroup { Allow = true, Access = "rwm" }] : DockerDefaults.DeviceRules(),
        };
        if (host.Memory > 0 || host.MemorySwap != 0 || host.MemoryReservation > 0 || host.OomKillDisable == true || host.MemorySwappiness is >= 0)
        {
            if (host.MemorySwap > 0 && host.Memory > 0 && host.MemorySwap < host.Memory)
            {
                throw EngineException.InvalidParameter("Minimum memoryswap limit should be larger than memory limit, see usage");
            }
            if (host.Memory is > 0 and < 6 * 1024 * 1024)
            {
                throw EngineException.InvalidParameter("Minimum memory limit allowed is 6MB");
            }
            resources.Memory = new LinuxMemory
            {
                Limit = host.Memory > 0 ? host.Memory : null,
                // Docker: MemorySwap 0 with a memory limit means swap = 2 x memory; -1 means unlimited.
                Swap = host.MemorySwap switch
                {
                    -1 => -1,
                    > 0 => host.MemorySwap,
                    _ when host.Memory > 0 => host.Memory * 2,
                    _ => null,
                },
                Reservation = host.MemoryReservation > 0 ? host.MemoryReservation : null,
                DisableOOMKiller = host.OomKillDisable == true ? true : null,
                Swappiness = host.MemorySwappiness is >= 0 and <= 100 ? (ulong)host.MemorySwappiness.Value : null,
            };
        }
        if (host.NanoCpus > 0 && (host.CpuQuota > 0 || host.CpuPeriod > 0))
        {
            throw EngineException.InvalidParameter("Conflicting options: Nano CPUs and CPU Period cannot both be set");
        }
        if (host.CpuShares > 0 || host.NanoCpus > 0 || host.CpuQuota > 0 || host.CpuPeriod > 0 || !string.IsNullOrEmpty(host.CpusetCpus) || !string.IsNullOrEmpty(host.CpusetMems))
        {
            const ulong period = 100_000;
            resources.Cpu = new LinuxCpu
            {
                Shares = host.CpuShares > 0 ? (ulong)host.CpuShares : null,
                Period = host.NanoCpus > 0 ? period : host.CpuPeriod > 0 ? (ulong)host.CpuPeriod : null,
                Quota = host.NanoCpus > 0 ? host.NanoCpus * (long)period / 1_000_000_000 : host.CpuQuota > 0 ? host.CpuQuota : null,
                Cpus = string.IsNullOrEmpty(host.CpusetCpus) ? null : host.CpusetCpus,
                Mems = string.IsNullOrEmpty(host.CpusetMems) ? null : host.CpusetMems,
            };
        }
        if (host.PidsLimit is { } pids && pids != 0)
        {
            resources.Pids = new LinuxPids { Limit = pids < 0 ? -1 : pids };
        }
        if (host.BlkioWeight > 0)
        {
            resources.BlockIO = new LinuxBlockIO { Weight = host.BlkioWeight };
        }
        return resources;
    }

    private static List<PosixRlimit>? Rlimits(List<Ulimit>? ulimits)
    {
        if (ulimits is not { Count: > 0 })
        {
            return null;
        }
        return [.. ulimits.Select(u =>
        {
            var name = (u.Name ?? "").ToUpperInvariant();
            if (name.Length == 0 || u.Soft < 0 || u.Hard < 0 || u.Soft > u.Hard)
            {
                throw EngineException.InvalidParameter($"invalid ulimit {u.Name}={u.Soft}:{u.Hard}");
            }
            return new PosixRlimit { Type = "RLIMIT_" + name, Soft = (ulong)u.Soft, Hard = (ulong)u.Hard };
        })];
    }
}
