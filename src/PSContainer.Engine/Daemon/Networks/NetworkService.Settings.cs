using PSContainer.Api;

namespace PSContainer.Engine.Daemon.Networks;

public sealed partial class NetworkService
{
    /// <summary>
    /// Container inspect's NetworkSettings, like Docker's: one Networks entry per attached network
    /// (addresses while running), the default bridge's values at the top level, Ports, and the
    /// namespace path as SandboxKey.
    /// </summary>
    public NetworkSettings SettingsOf(string containerId, string networkMode, IReadOnlyCollection<string> exposedPorts)
    {
        var settings = new NetworkSettings
        {
            Bridge = "",
            SandboxID = "",
            SandboxKey = "",
            Ports = PortMap(containerId, exposedPorts),
            Networks = [],
        };
        lock (_lock)
        {
            if (!UsesNetworks(networkMode))
            {
                if (networkMode is "host" or "none" && _networks.Values.FirstOrDefault(n => n.Predefined && n.Name == networkMode) is { } special)
                {
                    settings.Networks[special.Name] = new EndpointSettings { NetworkID = special.Id, EndpointID = "", Gateway = "", IPAddress = "", MacAddress = "" };
                }
                if (networkMode == "none" && _containers.TryGetValue(containerId, out var none) && none.NetnsPath is { } nonePath)
                {
                    settings.SandboxID = containerId;
                    settings.SandboxKey = nonePath;
                }
                return settings;
            }
            if (!_containers.TryGetValue(containerId, out var record))
            {
                return settings;
            }
            if (record.NetnsPath is { } path)
            {
                settings.SandboxID = containerId;
                settings.SandboxKey = path;
            }
            foreach (var attachment in record.Attachments)
            {
                if (!_networks.TryGetValue(attachment.NetworkId, out var network))
                {
                    continue;
                }
                var endpoint = attachment.Endpoint;
                var entry = new EndpointSettings
                {
                    IPAMConfig = attachment.RequestedIPv4 is null ? null : new EndpointIpamConfig { IPv4Address = attachment.RequestedIPv4 },
                    Aliases = attachment.Aliases.Count == 0 ? null : [.. attachment.Aliases],
                    NetworkID = network.Id,
                    EndpointID = endpoint?.EndpointId ?? "",
                    Gateway = endpoint is null || network.Internal ? "" : network.Gateway,
                    IPAddress = endpoint?.IPv4Address ?? "",
                    IPPrefixLen = endpoint?.PrefixLength ?? 0,
                    MacAddress = endpoint?.MacAddress ?? "",
                    IPv6Gateway = "",
                    GlobalIPv6Address = "",
                    DNSNames = network.Predefined ? null : [.. new[] { record.ContainerName, containerId[..12] }.Concat(attachment.Aliases)],
                };
                settings.Networks[network.Name] = entry;
                if (network.Predefined && network.Name == BridgeNetworkName && endpoint is not null)
                {
                    settings.EndpointID = entry.EndpointID;
                    settings.Gateway = entry.Gateway;
                    settings.IPAddress = entry.IPAddress;
                    settings.IPPrefixLen = entry.IPPrefixLen;
                    settings.MacAddress = entry.MacAddress;
                }
            }
        }
        return settings;
    }

    /// <summary>The networks of a container for docker ps (names → endpoint settings).</summary>
    public Dictionary<string, EndpointSettings> NetworksOf(string containerId, string networkMode) =>
        SettingsOf(containerId, networkMode, []).Networks ?? [];
}
