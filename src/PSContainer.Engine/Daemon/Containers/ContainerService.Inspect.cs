using System.Globalization;
using PSContainer.Api;

namespace PSContainer.Engine.Daemon.Containers;

public sealed partial class ContainerService
{
    private const string ZeroTime = "0001-01-01T00:00:00Z";

    public ContainerInspect Inspect(string idOrName, bool size)
    {
        var container = store.Get(idOrName);
        var record = container.Record;
        var state = record.State;
        var inspect = new ContainerInspect
        {
            Id = record.Id,
            Created = Timestamp(record.Created),
            Path = record.Path,
            Args = record.Args,
            State = new ContainerState
            {
                Status = state.Status,
                Running = state.Status is "running" or "paused",
                Paused = state.Status == "paused",
                Restarting = state.Status == "restarting",
                OOMKilled = state.OomKilled,
                Dead = state.Status == "dead",
                Pid = state.Pid,
                ExitCode = state.ExitCode,
                Error = state.Error,
                StartedAt = state.StartedAt is { } s ? Timestamp(s) : ZeroTime,
                FinishedAt = state.FinishedAt is { } f ? Timestamp(f) : ZeroTime,
                Health = container.EffectiveHealthcheck is null ? null : state.Health ?? new Health { Status = "starting" },
            },
            Image = record.ImageId,
            ResolvConfPath = container.ResolvConfPath,
            HostnamePath = container.HostnamePath,
            HostsPath = container.HostsPath,
            LogPath = container.LogPath,
            Name = "/" + record.Name,
            RestartCount = record.RestartCount,
            Driver = record.Driver,
            Platform = "linux",
            MountLabel = "",
            ProcessLabel = "",
            AppArmorProfile = "",
            ExecIDs = ExecIds(container),
            HostConfig = record.HostConfig,
            GraphDriver = new GraphDriverData { Name = record.Driver, Data = GraphDriverData(record) },
            Mounts = VolumeMountPoints(container),
            Config = record.Config,
            NetworkSettings = NetworkSettingsFor(record),
        };
        if (size)
        {
            inspect.SizeRw = SizeRw(record);
            inspect.SizeRootFs = RootFsSize(record, inspect.SizeRw);
        }
        return inspect;
    }

    private static List<string>? ExecIds(Container container)
    {
        lock (container.Execs)
        {
            return container.Execs.Count == 0 ? null : [.. container.Execs.Keys];
        }
    }

    private Dictionary<string, string>? GraphDriverData(ContainerRecord record)
    {
        try
        {
            var dirs = snapshotter.LayerDirectories(record.SnapshotKey);
            return dirs.Count == 0 ? null : new Dictionary<string, string>
            {
                ["UpperDir"] = dirs[0],
                ["LowerDir"] = string.Join(':', dirs.Skip(1)),
            };
        }
        catch (Exception e) when (e is Core.Errdefs.CoreException or IOException)
        {
            return null;
        }
    }

    private long? SizeRw(ContainerRecord record)
    {
        try
        {
            return WritableLayerSize(record) ?? snapshotter.Usage(record.SnapshotKey).Size;
        }
        catch (Exception e) when (e is Core.Errdefs.CoreException or IOException)
        {
            return null;
        }
    }

    /// <summary>GET /containers/json.</summary>
    public List<ContainerSummary> List(bool all, int? limit, bool size, ContainerFilters filters)
    {
        var selected = store.All()
            .Where(c => all || filters.ImpliesAll || c.Record.State.Status is "running" or "paused" or "restarting")
            .Where(c => filters.Matches(c, images))
            .ToList();
        if (limit is > 0)
        {
            selected = [.. selected.Take(limit.Value)];
        }
        return [.. selected.Select(c => Summary(c, size))];
    }

    private ContainerSummary Summary(Container container, bool size)
    {
        var record = container.Record;
        var command = string.Join(' ', new[] { record.Path }.Concat(record.Args.Select(QuoteIfNeeded)));
        var summary = new ContainerSummary
        {
            Id = record.Id,
            Names = ["/" + record.Name],
            Image = record.ImageName,
            ImageID = record.ImageId,
            Command = command,
            Created = record.Created.ToUnixTimeSeconds(),
            Ports = SummaryPortsFor(record),
            Labels = record.Config.Labels ?? [],
            State = record.State.Status,
            Status = StatusText(container, DateTimeOffset.UtcNow),
            HostConfig = new SummaryHostConfig { NetworkMode = record.HostConfig.NetworkMode },
            NetworkSettings = new SummaryNetworkSettings { Networks = NetworkSettingsFor(record).Networks },
            Mounts = VolumeMountPoints(container),
        };
        if (size)
        {
            summary.SizeRw = SizeRw(record);
            summary.SizeRootFs = RootFsSize(record, summary.SizeRw);
        }
        return summary;
    }

    private static string QuoteIfNeeded(string arg) => arg.Contains(' ', StringComparison.Ordinal) ? $"'{arg}'" : arg;

    /// <summary>Docker's human status: "Up 5 seconds (healthy)", "Exited (0) 2 minutes ago", "Created".</summary>
    public static string StatusText(Container container, DateTimeOffset now)
    {
        var state = container.Record.State;
        switch (state.Status)
        {
            case "running" or "paused":
                var up = "Up " + HumanDuration(now - (state.StartedAt ?? now));
                if (state.Status == "paused")
                {
                    up += " (Paused)";
                }
                else if (state.Health is { } health && container.EffectiveHealthcheck is not null)
                {
                    up += health.Status switch
                    {
                        "starting" => " (health: starting)",
                        "healthy" => " (healthy)",
                        "unhealthy" => " (unhealthy)",
                        _ => "",
                    };
                }
                return up;
            case "restarting":
                return $"Restarting ({state.ExitCode.ToString(CultureInfo.InvariantCulture)}) {HumanDuration(now - (state.FinishedAt ?? now))} ago";
            case "exited":
                return $"Exited ({state.ExitCode.ToString(CultureInfo.InvariantCulture)}) {HumanDuration(now - (state.FinishedAt ?? now))} ago";
            case "removing":
                return "Removal In Progress";
            case "dead":
                return "Dead";
            default:
                return "Created";
        }
    }

    /// <summary>Like Go's units.HumanDuration: "Less than a second", "5 seconds", "About a minute", "3 hours".</summary>
    public static string HumanDuration(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < 1)
        {
            return "Less than a second";
        }
        if (seconds == 1)
        {
            return "1 second";
        }
        if (seconds < 60)
        {
            return $"{seconds} seconds";
        }
        var minutes = (long)d.TotalMinutes;
        if (minutes == 1)
        {
            return "About a minute";
        }
        if (minutes < 60)
        {
            return $"{minutes} minutes";
        }
        var hours = (long)Math.Round(d.TotalHours);
        if (hours == 1)
        {
            return "About an hour";
        }
        if (hours < 48)
        {
            return $"{hours} hours";
        }
        if (hours < 24 * 7 * 2)
        {
            return $"{hours / 24} days";
        }
        if (hours < 24 * 30 * 2)
        {
            return $"{hours / 24 / 7} weeks";
        }
        if (hours < 24 * 365 * 2)
        {
            return $"{hours / 24 / 30} months";
        }
        return $"{hours / 24 / 365} years";
    }
}
