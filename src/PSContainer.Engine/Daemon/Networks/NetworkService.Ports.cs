using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PSContainer.Api;
using PSContainer.Engine.Core.Networking.Firewall;
using PSContainer.Engine.Core.Networking.Ports;
using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Daemon.Networks;

public sealed partial class NetworkService
{
    /// <summary>Host ports held for running containers (by container id).</summary>
    private readonly Dictionary<string, List<IPublishedPort>> _published = new(StringComparer.Ordinal);

    /// <summary>
    /// The container's port requests: HostConfig.PortBindings, and with -P (PublishAllPorts) every
    /// exposed port that has no binding, on a free host port.
    /// </summary>
    public static IReadOnlyList<PortRequest> PortRequests(HostConfig host, IReadOnlyCollection<string> exposedPorts)
    {
        var requests = new List<PortRequest>();
        try
        {
            foreach (var (containerPort, bindings) in host.PortBindings ?? [])
            {
                foreach (var binding in bindings is { Count: > 0 } ? bindings : [new PortBinding()])
                {
                    requests.Add(PortRequest.FromBinding(containerPort, binding.HostIp, binding.HostPort));
                }
            }
            if (host.PublishAllPorts)
            {
                foreach (var exposed in exposedPorts)
                {
                    var (port, protocol) = PortRequest.ParseContainerPort(exposed);
                    if (!requests.Any(r => r.ContainerPort == port && r.Protocol == protocol))
                    {
                        requests.Add(new PortRequest(protocol, IPAddress.Any, 0, 0, port));
                    }
                }
            }
        }
        catch (FormatException e)
        {
            throw EngineException.InvalidParameter(e.Message, e);
        }
        return requests;
    }

    /// <summary>Publishes the ports through the first endpoint that is not on an internal network.</summary>
    private void PublishPortsLocked(ContainerNetworkingRecord record, HostConfig host, IReadOnlyCollection<string> exposedPorts)
    {
        var requests = PortRequests(host, exposedPorts);
        if (requests.Count == 0)
        {
            return;
        }
        var attachment = record.Attachments.FirstOrDefault(a => a.Endpoint is not null && _networks.TryGetValue(a.NetworkId, out var n) && !n.Internal);
        if (attachment is null)
        {
            return; // none, or only internal networks: nothing to publish through (Docker ignores them too)
        }
        var network = _networks[attachment.NetworkId];
        var endpoint = attachment.Endpoint!;
        var containerIp = IPAddress.Parse(endpoint.IPv4Address);
        foreach (var request in requests)
        {
            var published = Bind(record, endpoint, request, new IPEndPoint(containerIp, request.ContainerPort));
            Track(record.ContainerId, published);
            var port = new PublishedPortRecord
            {
                Protocol = request.Protocol,
                HostIp = request.HostIp.ToString(),
                HostPort = published.HostEndPoint.Port,
                ContainerPort = request.ContainerPort,
                NetworkId = network.Id,
            };
            record.Ports.Add(port);
            SaveContainer(record);
            _driver.Firewall.Ensure(BridgeRules.Port(_driver.Firewall.Chains, PortRule(network, endpoint, port)));
        }
    }

    /// <summary>Binds the host port: the fixed one, the first free one of a range, or an ephemeral one.</summary>
    private IPublishedPort Bind(ContainerNetworkingRecord record, EndpointRecord endpoint, PortRequest request, IPEndPoint container)
    {
        var first = request.HostPortFirst;
        var last = request.HostPortLast;
        SocketException? failure = null;
        for (var port = first; port <= last; port++)
        {
            try
            {
                return _options.Ports.Publish(request.Protocol, new IPEndPoint(request.HostIp, port), container);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
            {
                failure = e;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
            {
                throw EngineException.InvalidParameter($"driver failed programming external connectivity on endpoint {record.ContainerName} ({endpoint.EndpointId}): " +
                    $"Error starting userland proxy: listen {request.Protocol} {request.HostIp}:{port.ToString(CultureInfo.InvariantCulture)}: bind: cannot assign requested address", e);
            }
        }
        var shown = first == last ? first.ToString(CultureInfo.InvariantCulture) : $"{first.ToString(CultureInfo.InvariantCulture)}-{last.ToString(CultureInfo.InvariantCulture)}";
        throw new EngineException(EngineErrorKind.Conflict,
            $"driver failed programming external connectivity on endpoint {record.ContainerName} ({endpoint.EndpointId}): Bind for {request.HostIp}:{shown} failed: port is already allocated", failure);
    }

    private void UnpublishLocked(ContainerNetworkingRecord record, PublishedPortRecord port)
    {
        try
        {
            var (network, endpoint) = PortTarget(record, port);
            _driver.Firewall.Remove(BridgeRules.Port(_driver.Firewall.Chains, PortRule(network, endpoint, port)));
        }
        catch (Exception e) when (e is FirewallException or KeyNotFoundException or InvalidOperationException)
        {
            _logger.LogWarningPort(record.ContainerId, port.HostPort, e.Message);
        }
        if (_published.TryGetValue(record.ContainerId, out var held))
        {
            foreach (var one in held.Where(p => p.HostEndPoint.Port == port.HostPort).ToList())
            {
                one.Dispose();
                held.Remove(one);
            }
        }
        record.Ports.Remove(port);
    }

    private (NetworkRecord Network, EndpointRecord Endpoint) PortTarget(ContainerNetworkingRecord record, PublishedPortRecord port)
    {
        var network = _networks[port.NetworkId];
        var endpoint = record.Attachments.First(a => a.NetworkId == port.NetworkId && a.Endpoint is not null).Endpoint!;
        return (network, endpoint);
    }

    private static PortRuleInput PortRule(NetworkRecord network, EndpointRecord endpoint, PublishedPortRecord port) =>
        new(network.BridgeName!, port.Protocol, IPAddress.Parse(port.HostIp), port.HostPort, IPAddress.Parse(endpoint.IPv4Address), port.ContainerPort);

    private void Track(string containerId, IPublishedPort published)
    {
        if (!_published.TryGetValue(containerId, out var list))
        {
            _published[containerId] = list = [];
        }
        list.Add(published);
    }

    private void UntrackAll(string containerId)
    {
        if (_published.Remove(containerId, out var list))
        {
            foreach (var published in list)
            {
                published.Dispose();
            }
        }
    }

    /// <summary>NetworkSettings.Ports of inspect: every exposed port (null when not published) and the published ones with their host side.</summary>
    public Dictionary<string, List<PortBinding>?> PortMap(string containerId, IReadOnlyCollection<string> exposedPorts)
    {
        var map = new Dictionary<string, List<PortBinding>?>(StringComparer.Ordinal);
        lock (_lock)
        {
            if (!_containers.TryGetValue(containerId, out var record) || record.NetnsPath is null)
            {
                return map;
            }
            foreach (var exposed in exposedPorts)
            {
                map[exposed.Contains('/', StringComparison.Ordinal) ? exposed : exposed + "/tcp"] = null;
            }
            foreach (var port in record.Ports)
            {
                var key = $"{port.ContainerPort.ToString(CultureInfo.InvariantCulture)}/{port.Protocol}";
                var list = map.GetValueOrDefault(key) ?? [];
                list.Add(new PortBinding { HostIp = port.HostIp, HostPort = port.HostPort.ToString(CultureInfo.InvariantCulture) });
                map[key] = list;
            }
        }
        return map;
    }

    /// <summary>The Ports column of docker ps: published ports with their host side, exposed ones without.</summary>
    public List<Port> SummaryPorts(string containerId, IReadOnlyCollection<string> exposedPorts)
    {
        var result = new List<Port>();
        foreach (var (key, bindings) in PortMap(containerId, exposedPorts))
        {
            var (port, protocol) = PortRequest.ParseContainerPort(key);
            if (bindings is null)
            {
                result.Add(new Port { PrivatePort = (ushort)port, Type = protocol });
                continue;
            }
            foreach (var binding in bindings)
            {
                result.Add(new Port
                {
                    IP = binding.HostIp,
                    PrivatePort = (ushort)port,
                    PublicPort = ushort.Parse(binding.HostPort!, CultureInfo.InvariantCulture),
                    Type = protocol,
                });
            }
        }
        return result;
    }
}

internal static partial class NetworkLog
{
    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "container {Id}: removing the rules of published port {Port}: {Error}")]
    public static partial void LogWarningPort(this Microsoft.Extensions.Logging.ILogger logger, string id, int port, string error);
}
