using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using PSContainer.Api;
using PSContainer.Engine.Core.Networking;
using PSContainer.Engine.Core.Networking.Bridge;
using PSContainer.Engine.Core.Networking.Firewall;
using PSContainer.Engine.Core.Networking.Ipam;
using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Daemon.Networks;

public sealed partial class NetworkService
{
    /// <summary>
    /// At container create: records which networks the container joins (its NetworkMode and the
    /// extra EndpointsConfig entries) with their aliases and static addresses, after checking them
    /// as Docker does. Host, none and container: modes record no attachments.
    /// </summary>
    public void RegisterContainer(string containerId, string containerName, string networkMode, NetworkingConfig? networking)
    {
        var requested = networking?.EndpointsConfig ?? [];
        lock (_lock)
        {
            var record = new ContainerNetworkingRecord { ContainerId = containerId, ContainerName = containerName };
            if (UsesNetworks(networkMode))
            {
                var primary = Find(networkMode == "default" ? BridgeNetworkName : networkMode);
                if (primary.Driver != "bridge")
                {
                    throw EngineException.InvalidParameter($"network {primary.Name} cannot be used as the network mode here");
                }
                record.Attachments.Add(NewAttachment(primary, requested.GetValueOrDefault(networkMode) ?? requested.GetValueOrDefault(primary.Name)
                    ?? requested.GetValueOrDefault(primary.Id) ?? (primary.Name == BridgeNetworkName ? requested.GetValueOrDefault("default") : null)));
                foreach (var (name, settings) in requested)
                {
                    // The CLI may name the default network "default".
                    var network = Find(ModeNetworkName(name));
                    if (network.Id == primary.Id)
                    {
                        continue;
                    }
                    if (network.Driver != "bridge")
                    {
                        throw EngineException.InvalidParameter($"container cannot be connected to network {network.Name} (driver {network.Driver}) together with {primary.Name}");
                    }
                    record.Attachments.Add(NewAttachment(network, settings));
                }
            }
            SaveContainer(record);
        }
    }

    /// <summary>At container removal: forgets its networking (its endpoints are already gone with its task).</summary>
    public void ForgetContainer(string containerId)
    {
        lock (_lock)
        {
            if (_containers.Remove(containerId))
            {
                _containerStore.Delete(containerId);
            }
        }
    }

    /// <summary>docker rename: the embedded DNS server answers the new name from now on.</summary>
    public void RenameContainer(string containerId, string newName)
    {
        lock (_lock)
        {
            if (_containers.TryGetValue(containerId, out var record))
            {
                record.ContainerName = newName;
                SaveContainer(record);
            }
        }
    }

    /// <summary>Bridge, user networks: the container gets endpoints. (host, none and container: do not.)</summary>
    public static bool UsesNetworks(string networkMode) =>
        networkMode is not ("host" or "none") && !networkMode.StartsWith("container:", StringComparison.Ordinal);

    private static string ModeNetworkName(string networkMode) => networkMode == "default" ? BridgeNetworkName : networkMode;

    /// <summary>
    /// At container start: pins a new network namespace (loopback up) and, for bridge and user
    /// networks, wires one endpoint per attachment (eth0, eth1, … with the default route through the
    /// first network that is not internal), publishes the ports and starts the embedded DNS server
    /// for user-defined networks. Returns the namespace path for the OCI spec. Anything made is
    /// undone when a step fails.
    /// </summary>
    public async Task<string> SetUpAsync(string containerId, string containerName, string networkMode, HostConfig host,
        IReadOnlyCollection<string> exposedPorts, IReadOnlyList<string>? dnsServers)
    {
        bool known;
        lock (_lock)
        {
            known = _containers.ContainsKey(containerId);
        }
        if (!known)
        {
            // A container created before networking was recorded: derive it from its mode.
            RegisterContainer(containerId, containerName, networkMode, null);
        }
        ContainerNetworkingRecord record;
        lock (_lock)
        {
            record = _containers[containerId];
            record.ContainerName = containerName;
            var path = Path.Combine(_options.NetnsDirectory, containerId);
            try
            {
                NetworkNamespace.Create(path);
                record.NetnsPath = path;
                SaveContainer(record);
                foreach (var attachment in record.Attachments)
                {
                    JoinLocked(record, attachment);
                }
                PublishPortsLocked(record, host, exposedPorts);
            }
            catch
            {
                TearDownLocked(record);
                throw;
            }
        }
        try
        {
            await StartDnsAsync(record, dnsServers).ConfigureAwait(false);
        }
        catch
        {
            await TearDownAsync(containerId).ConfigureAwait(false);
            throw;
        }
        return record.NetnsPath!;
    }

    /// <summary>At container exit (or a failed start): stops DNS, unpublishes ports, removes endpoints (addresses released) and the namespace.</summary>
    public async Task TearDownAsync(string containerId)
    {
        await StopDnsAsync(containerId).ConfigureAwait(false);
        lock (_lock)
        {
            if (_containers.TryGetValue(containerId, out var record))
            {
                TearDownLocked(record);
            }
        }
    }

    /// <summary>
    /// After an engine restart, for a container that kept running: binds its published ports again
    /// (the proxies died with the old engine), re-checks their NAT rules (never duplicated) and
    /// restarts its DNS server. Failures are logged: the container keeps running either way.
    /// </summary>
    public async Task RestoreAsync(string containerId, IReadOnlyList<string>? dnsServers)
    {
        ContainerNetworkingRecord? record;
        lock (_lock)
        {
            if (!_containers.TryGetValue(containerId, out record) || record.NetnsPath is null)
            {
                return;
            }
            foreach (var port in record.Ports.ToList())
            {
                try
                {
                    var (network, endpoint) = PortTarget(record, port);
                    var published = _options.Ports.Publish(port.Protocol, new IPEndPoint(IPAddress.Parse(port.HostIp), port.HostPort),
                        new IPEndPoint(IPAddress.Parse(endpoint.IPv4Address), port.ContainerPort));
                    Track(containerId, published);
                    _driver.Firewall.Ensure(BridgeRules.Port(_driver.Firewall.Chains, PortRule(network, endpoint, port)));
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or FirewallException or KeyNotFoundException or InvalidOperationException)
                {
                    _logger.LogWarning("container {Id}: restoring published port {Port}: {Error}", containerId, port.HostPort, e.Message);
                }
            }
        }
        try
        {
            await StartDnsAsync(record, dnsServers).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            _logger.LogWarning("container {Id}: restarting the embedded DNS server: {Error}", containerId, e.Message);
        }
    }

    /// <summary>POST /networks/{id}/connect: records the attachment and, when the container runs, hot-plugs the endpoint (eth1, …).</summary>
    public async Task ConnectAsync(string containerId, string containerName, string networkMode, string networkIdOrName, EndpointSettings? settings,
        bool running, IReadOnlyList<string>? dnsServers)
    {
        ContainerNetworkingRecord record;
        NetworkRecord network;
        lock (_lock)
        {
            network = Find(networkIdOrName);
            if (network.Driver != "bridge" || !UsesNetworks(networkMode))
            {
                throw new EngineException(EngineErrorKind.Forbidden, network.Driver == "host" || networkMode == "host"
                    ? "container cannot be disconnected from host network or connected to host network"
                    : $"container sharing another network namespace ({networkMode}) or using {network.Name} cannot be connected to more networks");
            }
            if (!_containers.TryGetValue(containerId, out record!))
            {
                record = new ContainerNetworkingRecord { ContainerId = containerId, ContainerName = containerName };
            }
            if (record.Attachments.Any(a => a.NetworkId == network.Id))
            {
                throw new EngineException(EngineErrorKind.Forbidden, $"endpoint with name {containerName} already exists in network {network.Name}");
            }
            var attachment = NewAttachment(network, settings);
            record.Attachments.Add(attachment);
            if (running && record.NetnsPath is not null)
            {
                try
                {
                    JoinLocked(record, attachment);
                }
                catch
                {
                    record.Attachments.Remove(attachment);
                    throw;
                }
            }
            SaveContainer(record);
            _events.Publish("network", "connect", network.Id, new Dictionary<string, string> { ["container"] = containerId, ["name"] = network.Name, ["type"] = network.Driver });
        }
        if (running && record.NetnsPath is not null)
        {
            await StartDnsAsync(record, dnsServers).ConfigureAwait(false);
        }
    }

    /// <summary>POST /networks/{id}/disconnect: removes the endpoint (and ports published through it) and the attachment.</summary>
    public void Disconnect(string containerId, string networkIdOrName)
    {
        lock (_lock)
        {
            var network = Find(networkIdOrName);
            if (network.Driver == "host")
            {
                throw new EngineException(EngineErrorKind.Forbidden, "container cannot be disconnected from host network or connected to host network");
            }
            var attachment = _containers.TryGetValue(containerId, out var record) ? record.Attachments.FirstOrDefault(a => a.NetworkId == network.Id) : null;
            if (record is null || attachment is null)
            {
                throw new EngineException(EngineErrorKind.Forbidden, $"container {containerId} is not connected to network {network.Name}");
            }
            foreach (var port in record.Ports.Where(p => p.NetworkId == network.Id).ToList())
            {
                UnpublishLocked(record, port);
            }
            LeaveLocked(attachment);
            record.Attachments.Remove(attachment);
            SaveContainer(record);
            _events.Publish("network", "disconnect", network.Id, new Dictionary<string, string> { ["container"] = containerId, ["name"] = network.Name, ["type"] = network.Driver });
        }
    }

    private AttachmentRecord NewAttachment(NetworkRecord network, EndpointSettings? settings)
    {
        var attachment = new AttachmentRecord { NetworkId = network.Id, Aliases = [.. settings?.Aliases ?? []] };
        var requested = settings?.IPAMConfig?.IPv4Address;
        if (!string.IsNullOrEmpty(requested))
        {
            if (network.Predefined)
            {
                throw EngineException.InvalidParameter("user specified IP address is supported on user defined networks only");
            }
            if (!network.UserSubnet)
            {
                throw EngineException.InvalidParameter("user specified IP address is supported only when connecting to networks with user configured subnets");
            }
            try
            {
                var address = Ipv4Subnet.ParseAddress(requested);
                if (!Ipv4Subnet.Parse(network.Subnet!).Contains(address))
                {
                    throw EngineException.InvalidParameter($"requested address {requested} is not in the subnet {network.Subnet} of network {network.Name}");
                }
                attachment.RequestedIPv4 = address.ToString();
            }
            catch (FormatException e)
            {
                throw EngineException.InvalidParameter(e.Message, e);
            }
        }
        if (attachment.Aliases.Count > 0 && network.Predefined)
        {
            throw EngineException.InvalidParameter("network-scoped alias is supported only for containers in user defined networks");
        }
        return attachment;
    }

    /// <summary>Allocates the address, persists the endpoint, then wires it; a failure gives the address back.</summary>
    private void JoinLocked(ContainerNetworkingRecord record, AttachmentRecord attachment)
    {
        var network = _networks.TryGetValue(attachment.NetworkId, out var n) ? n
            : throw EngineException.NotFound($"network {attachment.NetworkId} not found (it was removed)");
        var pool = _pools[network.Id];
        IPAddress address;
        try
        {
            address = pool.Allocate(attachment.RequestedIPv4 is null ? null : IPAddress.Parse(attachment.RequestedIPv4));
        }
        catch (IpamException e)
        {
            throw EngineException.InvalidParameter($"network {network.Name}: {e.Message}", e);
        }
        var used = record.Attachments.Where(a => a.Endpoint is not null).Select(a => a.Endpoint!.Interface).ToHashSet(StringComparer.Ordinal);
        var index = 0;
        while (used.Contains("eth" + index.ToString(CultureInfo.InvariantCulture)))
        {
            index++;
        }
        var mac = MacAddresses.FromIPv4(address);
        var endpoint = new EndpointRecord
        {
            EndpointId = NetworkNaming.NewId(),
            Interface = "eth" + index.ToString(CultureInfo.InvariantCulture),
            HostVeth = _options.Naming.NewHostVeth(),
            IPv4Address = address.ToString(),
            PrefixLength = Ipv4Subnet.Parse(network.Subnet!).PrefixLength,
            MacAddress = MacAddresses.Format(mac),
            DefaultRoute = !network.Internal && !record.Attachments.Any(a => a.Endpoint is { DefaultRoute: true }),
        };
        // Persist first: an engine that crashes while wiring finds the endpoint and can tear it down.
        attachment.Endpoint = endpoint;
        SaveContainer(record);
        try
        {
            _driver.Join(BridgeOf(network), record.NetnsPath!, new BridgeEndpoint(endpoint.HostVeth, endpoint.Interface, address, mac,
                endpoint.DefaultRoute ? IPAddress.Parse(network.Gateway!) : null));
        }
        catch
        {
            pool.Release(address);
            attachment.Endpoint = null;
            SaveContainer(record);
            throw;
        }
    }

    private void LeaveLocked(AttachmentRecord attachment)
    {
        if (attachment.Endpoint is not { } endpoint)
        {
            return;
        }
        try
        {
            BridgeDriver.Leave(new BridgeEndpoint(endpoint.HostVeth, endpoint.Interface, IPAddress.Parse(endpoint.IPv4Address), [], null));
        }
        catch (IOException e)
        {
            _logger.LogWarning("removing veth {Veth}: {Error}", endpoint.HostVeth, e.Message);
        }
        if (_pools.TryGetValue(attachment.NetworkId, out var pool))
        {
            pool.Release(IPAddress.Parse(endpoint.IPv4Address));
        }
        attachment.Endpoint = null;
    }

    private void TearDownLocked(ContainerNetworkingRecord record)
    {
        foreach (var port in record.Ports.ToList())
        {
            UnpublishLocked(record, port);
        }
        UntrackAll(record.ContainerId);
        foreach (var attachment in record.Attachments)
        {
            LeaveLocked(attachment);
        }
        if (record.NetnsPath is { } path)
        {
            try
            {
                NetworkNamespace.Remove(path);
            }
            catch (IOException e)
            {
                _logger.LogWarning("removing network namespace {Path}: {Error}", path, e.Message);
            }
            record.NetnsPath = null;
        }
        SaveContainer(record);
    }

    private void SaveContainer(ContainerNetworkingRecord record)
    {
        _containerStore.Put(record.ContainerId, record);
        _containers[record.ContainerId] = record;
    }

    /// <summary>The addresses a container has while it runs, and whether it is on a user-defined network (for /etc/hosts and resolv.conf).</summary>
    public (IReadOnlyList<IPAddress> Addresses, bool UserDefined) AddressesOf(string containerId)
    {
        lock (_lock)
        {
            if (!_containers.TryGetValue(containerId, out var record))
            {
                return ([], false);
            }
            var addresses = record.Attachments.Where(a => a.Endpoint is not null).Select(a => IPAddress.Parse(a.Endpoint!.IPv4Address)).ToList();
            var userDefined = record.Attachments.Any(a => _networks.TryGetValue(a.NetworkId, out var n) && !n.Predefined);
            return (addresses, userDefined);
        }
    }

    /// <summary>True when the container's namespace is one this service pinned (and its path).</summary>
    public string? NamespaceOf(string containerId)
    {
        lock (_lock)
        {
            return _containers.TryGetValue(containerId, out var record) ? record.NetnsPath : null;
        }
    }
}
