using System.Globalization;
using Dto = PSContainer.Api;

namespace PSContainer.Module.Core;

/// <summary>Turns the engine's container DTOs (list rows and inspect) into <see cref="Container"/> objects.</summary>
public static class ContainerConverter
{
    public static ContainerState ParseState(string? state) => state?.ToLowerInvariant() switch
    {
        "created" => ContainerState.Created,
        "running" => ContainerState.Running,
        "paused" => ContainerState.Paused,
        "restarting" => ContainerState.Restarting,
        "removing" => ContainerState.Removing,
        "exited" => ContainerState.Exited,
        "dead" => ContainerState.Dead,
        _ => ContainerState.Unknown,
    };

    public static Container FromSummary(Dto.ContainerSummary summary, string endpoint)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var state = ParseState(summary.State);
        return new Container
        {
            Id = summary.Id,
            Name = PrimaryName(summary.Names),
            Image = summary.Image ?? "",
            ImageId = summary.ImageID,
            Command = summary.Command ?? "",
            State = state,
            Status = summary.Status ?? "",
            Created = EngineTime.FromUnixSeconds(summary.Created),
            Ports = summary.Ports
                .Select(p => new ContainerPort(p.PrivatePort, p.Type ?? "tcp", p.PublicPort == 0 ? null : p.IP, p.PublicPort == 0 ? null : p.PublicPort))
                .OrderBy(p => p.PrivatePort).ThenBy(p => p.Protocol, StringComparer.Ordinal).ThenBy(p => p.HostIP, StringComparer.Ordinal)
                .ToList(),
            Labels = Copy(summary.Labels),
            ExitCode = state is ContainerState.Exited or ContainerState.Dead ? ExitCodeFromStatus(summary.Status) : null,
            Networks = summary.NetworkSettings?.Networks?.Keys.Order(StringComparer.Ordinal).ToList() ?? [],
            Mounts = (summary.Mounts ?? []).Select(ToMount).ToList(),
            Endpoint = endpoint,
        };
    }

    public static Container FromInspect(Dto.ContainerInspect inspect, string endpoint)
    {
        ArgumentNullException.ThrowIfNull(inspect);
        var state = inspect.State;
        var parsedState = ParseState(state?.Status);
        var finished = EngineTime.ParseRfc3339(state?.FinishedAt);
        var restart = inspect.HostConfig?.RestartPolicy;
        return new Container
        {
            Id = inspect.Id,
            Name = (inspect.Name ?? "").TrimStart('/'),
            Image = inspect.Config?.Image ?? inspect.Image ?? "",
            ImageId = inspect.Image,
            Command = CommandLine(inspect.Path, inspect.Args),
            State = parsedState,
            Status = DescribeStatus(parsedState, state?.ExitCode ?? 0),
            Created = EngineTime.ParseRfc3339(inspect.Created) ?? default,
            Ports = PortsFromSettings(inspect.NetworkSettings?.Ports, inspect.Config?.ExposedPorts?.Keys),
            Labels = Copy(inspect.Config?.Labels),
            ExitCode = finished is null && parsedState != ContainerState.Exited ? null : state?.ExitCode,
            StartedAt = EngineTime.ParseRfc3339(state?.StartedAt),
            FinishedAt = finished,
            Pid = state is { Pid: > 0 } ? state.Pid : null,
            Networks = inspect.NetworkSettings?.Networks?.Keys.Order(StringComparer.Ordinal).ToList() ?? [],
            Mounts = (inspect.Mounts ?? []).Select(ToMount).ToList(),
            Health = state?.Health?.Status,
            RestartCount = inspect.RestartCount,
            RestartPolicy = restart is null || string.IsNullOrEmpty(restart.Name) ? null
                : restart.Name == "on-failure" && restart.MaximumRetryCount > 0
                    ? string.Create(CultureInfo.InvariantCulture, $"on-failure:{restart.MaximumRetryCount}")
                    : restart.Name,
            Tty = inspect.Config?.Tty ?? false,
            Endpoint = endpoint,
            IsDetailed = true,
        };
    }

    /// <summary>The name docker ps shows: the first name without its slash (links add "/other/alias" names).</summary>
    public static string PrimaryName(IEnumerable<string>? names)
    {
        var all = (names ?? []).Select(n => n.TrimStart('/')).ToList();
        return all.FirstOrDefault(n => !n.Contains('/', StringComparison.Ordinal)) ?? all.FirstOrDefault() ?? "";
    }

    /// <summary>"Exited (137) 5 seconds ago" → 137.</summary>
    public static int? ExitCodeFromStatus(string? status)
    {
        if (status is null)
        {
            return null;
        }
        var open = status.IndexOf('(', StringComparison.Ordinal);
        var close = open < 0 ? -1 : status.IndexOf(')', open);
        return close > open + 1 && int.TryParse(status.AsSpan(open + 1, close - open - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code)
            ? code
            : null;
    }

    private static string DescribeStatus(ContainerState state, int exitCode) => state switch
    {
        ContainerState.Exited => string.Create(CultureInfo.InvariantCulture, $"Exited ({exitCode})"),
        ContainerState.Running => "Up",
        ContainerState.Paused => "Up (Paused)",
        _ => state.ToString(),
    };

    private static string CommandLine(string? path, List<string>? args)
    {
        var parts = new List<string>();
        if (!string.IsNullOrEmpty(path))
        {
            parts.Add(path);
        }
        parts.AddRange(args ?? []);
        return string.Join(' ', parts.Select(p => p.Contains(' ', StringComparison.Ordinal) ? "'" + p + "'" : p));
    }

    private static List<ContainerPort> PortsFromSettings(Dictionary<string, List<Dto.PortBinding>?>? bound, IEnumerable<string>? exposed)
    {
        var ports = new List<ContainerPort>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, bindings) in bound ?? [])
        {
            seen.Add(key);
            var (port, protocol) = SplitPortKey(key);
            if (bindings is null || bindings.Count == 0)
            {
                ports.Add(new ContainerPort(port, protocol));
                continue;
            }
            foreach (var binding in bindings)
            {
                ports.Add(int.TryParse(binding.HostPort, NumberStyles.None, CultureInfo.InvariantCulture, out var hostPort)
                    ? new ContainerPort(port, protocol, binding.HostIp, hostPort)
                    : new ContainerPort(port, protocol));
            }
        }
        foreach (var key in exposed ?? [])
        {
            if (seen.Add(key))
            {
                var (port, protocol) = SplitPortKey(key);
                ports.Add(new ContainerPort(port, protocol));
            }
        }
        return ports.OrderBy(p => p.PrivatePort).ThenBy(p => p.Protocol, StringComparer.Ordinal).ThenBy(p => p.HostIP, StringComparer.Ordinal).ToList();
    }

    private static (int Port, string Protocol) SplitPortKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var portText = slash < 0 ? key : key[..slash];
        var protocol = slash < 0 ? "tcp" : key[(slash + 1)..];
        return (int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : 0, protocol);
    }

    private static ContainerMount ToMount(Dto.MountPoint mount) => new()
    {
        Type = mount.Type ?? "",
        Name = string.IsNullOrEmpty(mount.Name) ? null : mount.Name,
        Source = mount.Source,
        Destination = mount.Destination ?? "",
        ReadOnly = !mount.RW,
    };

    internal static Dictionary<string, string> Copy(Dictionary<string, string>? labels) =>
        labels is null ? [] : new Dictionary<string, string>(labels, StringComparer.Ordinal);
}
