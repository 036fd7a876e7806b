using System.Net;
using Microsoft.Extensions.Logging;
using PSContainer.Engine.Core.Networking.Dns;

namespace PSContainer.Engine.Daemon.Networks;

/// <summary>
/// Name resolution on user-defined networks: the embedded DNS server (helper component in
/// Core/Networking/Dns) asks this service, as its <see cref="IDnsRecordSource"/>, which addresses a
/// name has for the asking container: other containers' names, network aliases and 12-character
/// short ids, on the user-defined networks both are on (the default bridge has no name
/// resolution, as in Docker). "name.network" is answered too.
/// </summary>
public sealed partial class NetworkService : IDnsRecordSource
{
    private readonly Dictionary<string, EmbeddedDnsServer> _dns = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _dnsGate = new(1, 1);

    /// <summary>The addresses of <paramref name="name"/> seen from <paramref name="askingContainerId"/>; empty when unknown.</summary>
    public IReadOnlyList<IPAddress> Resolve(string askingContainerId, string name) => Lookup(askingContainerId, name);

    public IReadOnlyList<IPAddress> Lookup(string askingContainerId, string name)
    {
        var wanted = name.TrimEnd('.').ToLowerInvariant();
        var result = new List<IPAddress>();
        lock (_lock)
        {
            foreach (var (network, other, endpoint) in Neighbours(askingContainerId))
            {
                if (Names(other, network).Contains(wanted))
                {
                    var address = IPAddress.Parse(endpoint.IPv4Address);
                    if (!result.Contains(address))
                    {
                        result.Add(address);
                    }
                }
            }
        }
        return result;
    }

    public string? ReverseLookup(string askingContainerId, IPAddress address)
    {
        var text = address.ToString();
        lock (_lock)
        {
            foreach (var (network, other, endpoint) in Neighbours(askingContainerId))
            {
                if (endpoint.IPv4Address == text)
                {
                    return other.ContainerName.ToLowerInvariant() + "." + network.Name.ToLowerInvariant();
                }
            }
        }
        return null;
    }

    /// <summary>Live endpoints of every container (the asker included) on the user-defined networks the asker is on.</summary>
    private IEnumerable<(NetworkRecord Network, ContainerNetworkingRecord Container, EndpointRecord Endpoint)> Neighbours(string askingContainerId)
    {
        if (!_containers.TryGetValue(askingContainerId, out var asker))
        {
            yield break;
        }
        foreach (var mine in asker.Attachments.Where(a => a.Endpoint is not null))
        {
            if (!_networks.TryGetValue(mine.NetworkId, out var network) || network.Predefined)
            {
                continue;
            }
            foreach (var other in _containers.Values)
            {
                foreach (var theirs in other.Attachments.Where(a => a.NetworkId == network.Id && a.Endpoint is not null))
                {
                    yield return (network, other, theirs.Endpoint!);
                }
            }
        }
    }

    private static HashSet<string> Names(ContainerNetworkingRecord container, NetworkRecord network)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var attachment = container.Attachments.First(a => a.NetworkId == network.Id);
        foreach (var name in new[] { container.ContainerName, container.ContainerId[..12] }.Concat(attachment.Aliases))
        {
            var lower = name.ToLowerInvariant();
            names.Add(lower);
            names.Add(lower + "." + network.Name.ToLowerInvariant());
        }
        return names;
    }

    /// <summary>Starts the container's DNS server when it is on a user-defined network and has none yet.</summary>
    private async Task StartDnsAsync(ContainerNetworkingRecord record, IReadOnlyList<string>? dnsServers)
    {
        if (!_options.EmbeddedDns || record.NetnsPath is not { } path)
        {
            return;
        }
        bool userDefined;
        lock (_lock)
        {
            userDefined = record.Attachments.Any(a => a.Endpoint is not null && _networks.TryGetValue(a.NetworkId, out var n) && !n.Predefined);
        }
        if (!userDefined)
        {
            return;
        }
        await _dnsGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_dns.ContainsKey(record.ContainerId))
            {
                return;
            }
            var upstreams = ResolvConf.UpstreamsFor(dnsServers, ResolvConf.HostNameservers());
            var server = await EmbeddedDnsServer.StartAsync(path, record.ContainerId, this, upstreams,
                message => _logger.LogDebug("dns {Id}: {Message}", record.ContainerId, message)).ConfigureAwait(false);
            _dns[record.ContainerId] = server;
        }
        finally
        {
            _dnsGate.Release();
        }
    }

    private async Task StopDnsAsync(string containerId)
    {
        EmbeddedDnsServer? server;
        await _dnsGate.WaitAsync().ConfigureAwait(false);
        try
        {
            _dns.Remove(containerId, out server);
        }
        finally
        {
            _dnsGate.Release();
        }
        if (server is not null)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
