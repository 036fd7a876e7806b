using System.Globalization;
using Dto = PSContainer.Api;

namespace PSContainer.Module.Core;

/// <summary>Conversions for volumes, networks, processes, changes, events, prunes and the engine itself.</summary>
public static class ResourceConverter
{
    public static ContainerVolume ToVolume(Dto.VolumeSummary volume, string endpoint)
    {
        ArgumentNullException.ThrowIfNull(volume);
        return new ContainerVolume
        {
            Name = volume.Name,
            Driver = volume.Driver,
            Mountpoint = volume.Mountpoint,
            Created = EngineTime.ParseRfc3339(volume.CreatedAt),
            Scope = volume.Scope,
            Labels = ContainerConverter.Copy(volume.Labels),
            Options = ContainerConverter.Copy(volume.Options),
            Size = volume.UsageData?.Size ?? -1,
            RefCount = volume.UsageData?.RefCount ?? -1,
            Endpoint = endpoint,
        };
    }

    public static ContainerNetwork ToNetwork(Dto.NetworkSummary network, string endpoint)
    {
        ArgumentNullException.ThrowIfNull(network);
        var configs = network.IPAM?.Config ?? [];
        return new ContainerNetwork
        {
            Id = network.Id,
            Name = network.Name,
            Driver = network.Driver,
            Scope = network.Scope,
            Subnets = configs.Select(c => c.Subnet).OfType<string>().Where(s => s.Length > 0).ToList(),
            Gateways = configs.Select(c => c.Gateway).OfType<string>().Where(s => s.Length > 0).ToList(),
            Internal = network.Internal,
            IPv6 = network.EnableIPv6,
            Created = EngineTime.ParseRfc3339(network.Created),
            Labels = ContainerConverter.Copy(network.Labels),
            Options = ContainerConverter.Copy(network.Options),
            Containers = (network.Containers ?? []).Values.Select(c => c.Name).OfType<string>().Order(StringComparer.Ordinal).ToList(),
            Endpoint = endpoint,
        };
    }

    /// <summary>
    /// One object per row of docker top. ps's titles vary with its options, so known titles
    /// (UID/USER, PID, PPID, STIME, TTY, TIME, CMD/COMMAND) become typed properties and every
    /// column stays available in Columns.
    /// </summary>
    public static IEnumerable<ContainerProcess> ToProcesses(Dto.ContainerTopResponse top, string containerId, string containerName)
    {
        ArgumentNullException.ThrowIfNull(top);
        foreach (var row in top.Processes)
        {
            var columns = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < top.Titles.Count && i < row.Count; i++)
            {
                columns[top.Titles[i]] = row[i];
            }
            yield return new ContainerProcess
            {
                ContainerId = containerId,
                ContainerName = containerName,
                User = Column(columns, "UID", "USER"),
                ProcessId = IntColumn(columns, "PID"),
                ParentProcessId = IntColumn(columns, "PPID"),
                StartTime = Column(columns, "STIME", "START"),
                Tty = Column(columns, "TTY", "TT"),
                CpuTime = Column(columns, "TIME"),
                Command = Column(columns, "CMD", "COMMAND", "ARGS") ?? "",
                Columns = columns,
            };
        }
    }

    public static IEnumerable<ContainerChange> ToChanges(IEnumerable<Dto.ContainerChange> changes, string containerId) =>
        (changes ?? throw new ArgumentNullException(nameof(changes))).Select(c => new ContainerChange
        {
            ContainerId = containerId,
            Kind = c.Kind switch
            {
                1 => ContainerChangeKind.Added,
                2 => ContainerChangeKind.Deleted,
                _ => ContainerChangeKind.Modified,
            },
            Path = c.Path,
        });

    public static ContainerEvent ToEvent(Dto.EventMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var attributes = new Dictionary<string, string>(message.Actor.Attributes, StringComparer.Ordinal);
        return new ContainerEvent
        {
            Time = message.TimeNano > 0 ? EngineTime.FromUnixNanoseconds(message.TimeNano) : EngineTime.FromUnixSeconds(message.Time),
            Type = message.Type.Length > 0 ? message.Type : "container",
            Action = message.Action.Length > 0 ? message.Action : message.Status ?? "",
            ActorId = message.Actor.ID.Length > 0 ? message.Actor.ID : message.Id ?? "",
            ActorName = attributes.TryGetValue("name", out var name) ? name : null,
            Attributes = attributes,
            Scope = message.Scope,
        };
    }

    public static ContainerEngineInfo ToEngineInfo(Dto.SystemVersion version, Dto.SystemInfo info, string endpoint, string negotiated)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(info);
        return new ContainerEngineInfo
        {
            Endpoint = endpoint,
            Name = version.Platform?.Name is { Length: > 0 } platform ? platform : info.Name,
            Version = version.Version,
            ApiVersion = version.ApiVersion,
            MinApiVersion = version.MinAPIVersion,
            NegotiatedApiVersion = negotiated,
            Os = version.Os,
            Architecture = version.Arch,
            KernelVersion = version.KernelVersion.Length > 0 ? version.KernelVersion : info.KernelVersion,
            OperatingSystem = info.OperatingSystem,
            StorageDriver = info.Driver,
            RootDirectory = info.DockerRootDir,
            CgroupDriver = info.CgroupDriver,
            CgroupVersion = info.CgroupVersion,
            DefaultRuntime = info.DefaultRuntime,
            Runtimes = (info.Runtimes ?? []).Keys.Order(StringComparer.Ordinal).ToList(),
            Cpus = info.NCPU,
            MemoryTotal = info.MemTotal,
            Containers = info.Containers,
            ContainersRunning = info.ContainersRunning,
            ContainersPaused = info.ContainersPaused,
            ContainersStopped = info.ContainersStopped,
            Images = info.Images,
            Warnings = info.Warnings.ToList(),
        };
    }

    private static string? Column(Dictionary<string, string> columns, params string[] titles)
    {
        foreach (var title in titles)
        {
            if (columns.TryGetValue(title, out var value))
            {
                return value;
            }
        }
        return null;
    }

    private static int? IntColumn(Dictionary<string, string> columns, string title) =>
        columns.TryGetValue(title, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
