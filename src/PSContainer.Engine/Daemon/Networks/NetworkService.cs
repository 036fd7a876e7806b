using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using PSContainer.Api;
using PSContainer.Engine.Core.Events;
using PSContainer.Engine.Core.Metadata;
using PSContainer.Engine.Core.Networking.Bridge;
using PSContainer.Engine.Core.Networking.Firewall;
using PSContainer.Engine.Core.Networking.Ipam;
using PSContainer.Engine.Core.Networking.Ports;
using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Daemon.Networks;

/// <summary>Settings of the network service.</summary>
/// <param name="NetnsDirectory">Where container network namespaces are pinned (&lt;exec-root&gt;/netns).</param>
/// <param name="Naming">Host object names (bridges, veths, chains) from the engine's prefix.</param>
/// <param name="Iptables">The iptables runner (a recording fake in tests).</param>
/// <param name="Ports">Binds published host ports (the userland proxy, or plain reservations).</param>
/// <param name="HostRoutes">The host's routed networks, which default pools avoid.</param>
/// <param name="EmbeddedDns">Start the embedded DNS server (127.0.0.11) for containers on user-defined networks.</param>
public sealed record NetworkServiceOptions(
    string NetnsDirectory,
    NetworkNaming Naming,
    IIptables Iptables,
    IPortPublisher Ports,
    Func<IReadOnlyList<Ipv4Subnet>> HostRoutes,
    bool EmbeddedDns = true);

/// <summary>
/// dockerd's networks: the predefined bridge, host and none; user-defined bridge networks with
/// IPAM; list/inspect/create/remove/prune; and (in NetworkService.Endpoints.cs) the endpoints,
/// namespaces, published ports and DNS of containers. All state changes happen under one lock and
/// are persisted before the lock is released.
/// </summary>
public sealed partial class NetworkService
{
    public const string BridgeNetworkName = "bridge", HostNetworkName = "host", NoneNetworkName = "none";

    private readonly IRecordStore<NetworkRecord> _networkStore;
    private readonly IRecordStore<ContainerNetworkingRecord> _containerStore;
    private readonly NetworkServiceOptions _options;
    private readonly EventExchange _events;
    private readonly ILogger _logger;
    private readonly BridgeDriver _driver;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, NetworkRecord> _networks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AddressPool> _pools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ContainerNetworkingRecord> _containers = new(StringComparer.Ordinal);

    public NetworkService(IRecordStore<NetworkRecord> networks, IRecordStore<ContainerNetworkingRecord> containers,
        NetworkServiceOptions options, EventExchange events, ILogger<NetworkService> logger)
    {
        _networkStore = networks;
        _containerStore = containers;
        _options = options;
        _events = events;
        _logger = logger;
        _driver = new BridgeDriver(new Firewall(options.Iptables, ChainNames.For(options.Naming.Prefix)));
    }

    public NetworkNaming Naming => _options.Naming;

    /// <summary>
    /// At engine start: loads the networks (making the predefined ones the first time), re-creates
    /// or re-checks every bridge and its rules (idempotent: nothing is duplicated), and takes the
    /// addresses of endpoints that were live when the engine stopped.
    /// </summary>
    public void Initialize()
    {
        using var hostLock = HostNetworkLock.Acquire();
        lock (_lock)
        {
            foreach (var (_, record) in _networkStore.List())
            {
                _networks[record.Id] = record;
            }
            EnsurePredefined();
            foreach (var network in _networks.Values.Where(n => n.Driver == "bridge"))
            {
                _pools[network.Id] = PoolOf(network);
                try
                {
                    _driver.CreateNetwork(BridgeOf(network));
                }
                catch (Exception e) when (e is IOException or FirewallException or ArgumentException)
                {
                    // The engine still serves everything else; containers on this network fail to start with the reason.
                    _logger.LogError("network {Name}: setting up bridge {Bridge} failed: {Error}", network.Name, network.BridgeName, e.Message);
                }
            }
            foreach (var (_, record) in _containerStore.List())
            {
                _containers[record.ContainerId] = record;
                foreach (var attachment in record.Attachments)
                {
                    if (attachment.Endpoint is { } endpoint && _pools.TryGetValue(attachment.NetworkId, out var pool))
                    {
                        try
                        {
                            pool.Reserve(IPAddress.Parse(endpoint.IPv4Address));
                        }
                        catch (IpamException e)
                        {
                            _logger.LogWarning("container {Id}: address {Address} on network {Network}: {Error}", record.ContainerId, endpoint.IPv4Address, attachment.NetworkId, e.Message);
                        }
                    }
                }
            }
        }
    }

    private void EnsurePredefined()
    {
        if (!_networks.Values.Any(n => n.Predefined && n.Name == BridgeNetworkName))
        {
            var subnet = DefaultPools.Choose(_options.HostRoutes(), Subnets());
            Save(new NetworkRecord
            {
                Id = NetworkNaming.NewId(), Name = BridgeNetworkName, Driver = "bridge", Created = DateTimeOffset.UtcNow, Predefined = true,
                Subnet = subnet.ToString(), Gateway = AddressPool.DefaultGateway(subnet).ToString(), BridgeName = _options.Naming.DefaultBridge,
                Options = new Dictionary<string, string>
                {
                    ["com.docker.network.bridge.default_bridge"] = "true",
                    ["com.docker.network.bridge.enable_icc"] = "true",
                    ["com.docker.network.bridge.enable_ip_masquerade"] = "true",
                    [NetworkNaming.BridgeNameOption] = _options.Naming.DefaultBridge,
                },
            });
        }
        foreach (var (name, driver) in new[] { (HostNetworkName, "host"), (NoneNetworkName, "null") })
        {
            if (!_networks.Values.Any(n => n.Predefined && n.Name == name))
            {
                Save(new NetworkRecord { Id = NetworkNaming.NewId(), Name = name, Driver = driver, Created = DateTimeOffset.UtcNow, Predefined = true });
            }
        }
    }

    /// <summary>POST /networks/create.</summary>
    public NetworkCreateResponse Create(NetworkCreateRequest request)
    {
        var name = request.Name ?? "";
        if (name.Length == 0)
        {
            throw EngineException.InvalidParameter("network name is required");
        }
        if (!NetworkNaming.ValidNetworkName().IsMatch(name))
        {
            throw EngineException.InvalidParameter($"invalid network name \"{name}\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        var driver = string.IsNullOrEmpty(request.Driver) ? "bridge" : request.Driver;
        if (driver is "host" or "null")
        {
            throw new EngineException(EngineErrorKind.Forbidden, $"only one instance of \"{driver}\" network is allowed");
        }
        if (driver != "bridge")
        {
            throw EngineException.NotFound($"plugin \"{driver}\" not found: this engine supports only the bridge network driver");
        }
        if (request.EnableIPv6 == true)
        {
            throw EngineException.InvalidParameter("IPv6 networks are not supported yet");
        }
        if (request.IPAM is { Driver: { Length: > 0 } ipamDriver } && ipamDriver != "default")
        {
            throw EngineException.NotFound($"IPAM driver \"{ipamDriver}\" not found: only the default IPAM driver is supported");
        }
        var configs = request.IPAM?.Config ?? [];
        if (configs.Count > 1)
        {
            throw EngineException.InvalidParameter("only one IPv4 subnet per network is supported");
        }
        var options = request.Options ?? [];
        int? mtu = null;
        if (options.TryGetValue(NetworkNaming.MtuOption, out var mtuText))
        {
            mtu = int.TryParse(mtuText, NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m is >= 68 and <= 65535
                ? m : throw EngineException.InvalidParameter($"invalid MTU \"{mtuText}\": a number from 68 to 65535");
        }

        using var hostLock = HostNetworkLock.Acquire();
        lock (_lock)
        {
            if (_networks.Values.Any(n => n.Name == name))
            {
                throw EngineException.Conflict($"network with name {name} already exists");
            }
            var id = NetworkNaming.NewId();
            var bridge = options.TryGetValue(NetworkNaming.BridgeNameOption, out var bridgeName) && bridgeName.Length > 0 ? bridgeName : _options.Naming.UserBridge(id);
            if (_networks.Values.Any(n => n.BridgeName == bridge))
            {
                throw EngineException.Conflict($"bridge name {bridge} is already used by another network");
            }
            var record = new NetworkRecord
            {
                Id = id, Name = name, Driver = "bridge", Created = DateTimeOffset.UtcNow, BridgeName = bridge, Mtu = mtu,
                Internal = request.Internal, Attachable = request.Attachable,
                Options = new Dictionary<string, string>(options), Labels = request.Labels ?? [],
            };
            AssignAddresses(record, configs.Count == 1 ? configs[0] : null);
            AddressPool pool;
            try
            {
                pool = PoolOf(record);
            }
            catch (IpamException e)
            {
                throw EngineException.InvalidParameter(e.Message, e);
            }
            try
            {
                _driver.CreateNetwork(BridgeOf(record));
            }
            catch (Exception e) when (e is IOException or FirewallException or ArgumentException)
            {
                TryDeleteBridge(record);
                throw EngineException.Internal($"failed to create network {name}: {e.Message}", e);
            }
            _pools[id] = pool;
            Save(record);
            _events.Publish("network", "create", id, new Dictionary<string, string> { ["name"] = name, ["type"] = "bridge" });
            return new NetworkCreateResponse { Id = id, Warning = "" };
        }
    }

    /// <summary>The subnet, gateway and range of a new network: the user's, checked, or the first free default pool.</summary>
    private void AssignAddresses(NetworkRecord record, IpamConfig? config)
    {
        try
        {
            Ipv4Subnet subnet;
            if (!string.IsNullOrEmpty(config?.Subnet))
            {
                subnet = Ipv4Subnet.Parse(config.Subnet);
                if (Subnets().FirstOrDefault(s => s.Overlaps(subnet)) is { PrefixLength: > 0 } other)
                {
                    throw new EngineException(EngineErrorKind.Forbidden, $"Pool overlaps with other one on this address space ({subnet} overlaps {other})");
                }
                record.UserSubnet = true;
            }
            else
            {
                if (!string.IsNullOrEmpty(config?.Gateway) || !string.IsNullOrEmpty(config?.IPRange))
                {
                    throw EngineException.InvalidParameter("a gateway or ip range needs a subnet (--subnet)");
                }
                subnet = DefaultPools.Choose(_options.HostRoutes(), Subnets());
            }
            record.Subnet = subnet.ToString();
            record.Gateway = string.IsNullOrEmpty(config?.Gateway) ? AddressPool.DefaultGateway(subnet).ToString() : Ipv4Subnet.ParseAddress(config.Gateway).ToString();
            record.IpRange = string.IsNullOrEmpty(config?.IPRange) ? null : Ipv4Subnet.Parse(config.IPRange).ToString();
        }
        catch (Exception e) when (e is FormatException or IpamException)
        {
            throw EngineException.InvalidParameter(e.Message, e);
        }
    }

    /// <summary>GET /networks.</summary>
    public List<NetworkSummary> List(NetworkFilters filters)
    {
        lock (_lock)
        {
            return [.. _networks.Values
                .Where(n => filters.Matches(n, HasEndpoints(n.Id)))
                .OrderBy(n => n.Created)
                .Select(n => Summary(n, withContainers: false))];
        }
    }

    /// <summary>GET /networks/{id}.</summary>
    public NetworkSummary Inspect(string idOrName)
    {
        lock (_lock)
        {
            return Summary(Find(idOrName), withContainers: true);
        }
    }

    /// <summary>The network by full id, exact name or unique id prefix; NotFound otherwise.</summary>
    public NetworkRecord Get(string idOrName)
    {
        lock (_lock)
        {
            return Find(idOrName);
        }
    }

    /// <summary>DELETE /networks/{id}: refused for the predefined networks and while containers are attached.</summary>
    public void Remove(string idOrName)
    {
        lock (_lock)
        {
            var network = Find(idOrName);
            if (network.Predefined)
            {
                throw new EngineException(EngineErrorKind.Forbidden, $"{network.Name} is a pre-defined network and cannot be removed");
            }
            if (HasEndpoints(network.Id))
            {
                throw new EngineException(EngineErrorKind.Forbidden, $"error while removing network: network {network.Name} id {network.Id} has active endpoints");
            }
            RemoveLocked(network);
        }
    }

    /// <summary>POST /networks/prune: every custom network without containers (label and until filters).</summary>
    public List<string> Prune(Dictionary<string, List<string>> filters)
    {
        foreach (var key in filters.Keys)
        {
            if (key is not ("label" or "label!" or "until"))
            {
                throw EngineException.InvalidParameter($"invalid filter '{key}'");
            }
        }
        DateTimeOffset? until = filters.TryGetValue("until", out var untilValues) && untilValues.Count > 0 ? ParseUntil(untilValues[0]) : null;
        var removed = new List<string>();
        lock (_lock)
        {
            foreach (var network in _networks.Values.Where(n => !n.Predefined).ToList())
            {
                if (HasEndpoints(network.Id)
                    || (filters.TryGetValue("label", out var labels) && !labels.All(l => NetworkFilters.LabelMatches(network.Labels, l)))
                    || (filters.TryGetValue("label!", out var notLabels) && notLabels.Any(l => NetworkFilters.LabelMatches(network.Labels, l)))
                    || (until is { } u && network.Created >= u))
                {
                    continue;
                }
                RemoveLocked(network);
                removed.Add(network.Name);
            }
        }
        return removed;
    }

    private static DateTimeOffset ParseUntil(string value)
    {
        if (decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            return DateTimeOffset.FromUnixTimeSeconds((long)seconds);
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }
        try
        {
            return DateTimeOffset.UtcNow - System.Xml.XmlConvert.ToTimeSpan("PT" + value.ToUpperInvariant());
        }
        catch (FormatException e)
        {
            throw EngineException.InvalidParameter($"invalid until filter \"{value}\"", e);
        }
    }

    private void RemoveLocked(NetworkRecord network)
    {
        // Stopped containers that still name the network lose it, as in Docker (their next start would fail otherwise).
        foreach (var container in _containers.Values.Where(c => c.Attachments.Any(a => a.NetworkId == network.Id)).ToList())
        {
            container.Attachments.RemoveAll(a => a.NetworkId == network.Id);
            SaveContainer(container);
        }
        if (network.Driver == "bridge")
        {
            try
            {
                _driver.DeleteNetwork(BridgeOf(network));
            }
            catch (Exception e) when (e is IOException or FirewallException)
            {
                throw EngineException.Internal($"failed to remove network {network.Name}: {e.Message}", e);
            }
        }
        _networkStore.Delete(network.Id);
        _networks.Remove(network.Id);
        _pools.Remove(network.Id);
        _events.Publish("network", "destroy", network.Id, new Dictionary<string, string> { ["name"] = network.Name, ["type"] = network.Driver });
    }

    /// <summary>Removes the engine's iptables chains and the bridges of every network (tests, and an engine told to clean up).</summary>
    public void RemoveHostState()
    {
        lock (_lock)
        {
            foreach (var network in _networks.Values.Where(n => n.Driver == "bridge"))
            {
                TryDeleteBridge(network);
            }
            _driver.Firewall.RemoveAll();
        }
    }

    private NetworkRecord Find(string idOrName)
    {
        if (_networks.TryGetValue(idOrName, out var byId))
        {
            return byId;
        }
        if (_networks.Values.FirstOrDefault(n => n.Name == idOrName) is { } byName)
        {
            return byName;
        }
        var matches = idOrName.Length > 0 ? _networks.Values.Where(n => n.Id.StartsWith(idOrName, StringComparison.Ordinal)).ToList() : [];
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw EngineException.NotFound($"network {idOrName} not found"),
            _ => throw EngineException.InvalidParameter($"network {idOrName} is ambiguous ({matches.Count} matches found based on ID prefix)"),
        };
    }

    private bool HasEndpoints(string networkId) =>
        _containers.Values.Any(c => c.Attachments.Any(a => a.NetworkId == networkId && a.Endpoint is not null));

    private IEnumerable<Ipv4Subnet> Subnets() =>
        _networks.Values.Where(n => n.Subnet is not null).Select(n => Ipv4Subnet.Parse(n.Subnet!)).ToList();

    private static AddressPool PoolOf(NetworkRecord network) =>
        new(Ipv4Subnet.Parse(network.Subnet!), IPAddress.Parse(network.Gateway!), network.IpRange is null ? null : Ipv4Subnet.Parse(network.IpRange));

    private static BridgeNetwork BridgeOf(NetworkRecord network) =>
        new(network.BridgeName!, Ipv4Subnet.Parse(network.Subnet!), IPAddress.Parse(network.Gateway!), network.Mtu, network.Internal);

    private void TryDeleteBridge(NetworkRecord network)
    {
        try
        {
            _driver.DeleteNetwork(BridgeOf(network));
        }
        catch (Exception e) when (e is IOException or FirewallException)
        {
            _logger.LogWarning("cleanup of network {Name}: {Error}", network.Name, e.Message);
        }
    }

    private void Save(NetworkRecord record)
    {
        _networkStore.Put(record.Id, record);
        _networks[record.Id] = record;
    }

    private NetworkSummary Summary(NetworkRecord network, bool withContainers)
    {
        var summary = new NetworkSummary
        {
            Name = network.Name,
            Id = network.Id,
            Created = network.Created.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture),
            Scope = "local",
            Driver = network.Driver,
            EnableIPv4 = true,
            IPAM = new Ipam
            {
                Driver = "default",
                Options = [],
                Config = network.Subnet is null ? [] : [new IpamConfig { Subnet = network.Subnet, Gateway = network.Gateway, IPRange = network.IpRange }],
            },
            Internal = network.Internal,
            Attachable = network.Attachable,
            Containers = [],
            Options = new Dictionary<string, string>(network.Options),
            Labels = new Dictionary<string, string>(network.Labels),
        };
        if (withContainers)
        {
            foreach (var container in _containers.Values)
            {
                foreach (var attachment in container.Attachments.Where(a => a.NetworkId == network.Id && a.Endpoint is not null))
                {
                    var endpoint = attachment.Endpoint!;
                    summary.Containers[container.ContainerId] = new NetworkContainer
                    {
                        Name = container.ContainerName,
                        EndpointID = endpoint.EndpointId,
                        MacAddress = endpoint.MacAddress,
                        IPv4Address = $"{endpoint.IPv4Address}/{endpoint.PrefixLength.ToString(CultureInfo.InvariantCulture)}",
                        IPv6Address = "",
                    };
                }
            }
        }
        return summary;
    }
}
