using System.Net;

namespace PSContainer.Engine.Core.Networking.Ipam;

/// <summary>
/// The addresses of one network: its subnet, gateway and optional --ip-range, and the addresses
/// given out. Dynamic addresses come from the range (the whole subnet without one), lowest free
/// first; static ones (--ip) anywhere in the subnet. The network and broadcast addresses and the
/// gateway are never given out. Thread-safe.
/// </summary>
public sealed class AddressPool
{
    private readonly SortedSet<uint> _allocated = [];
    private readonly Lock _lock = new();

    public AddressPool(Ipv4Subnet subnet, IPAddress gateway, Ipv4Subnet? range = null)
    {
        if (subnet.PrefixLength > 30)
        {
            throw new IpamException($"subnet {subnet} is too small: it needs room for a gateway and at least one container (a /30 or larger)");
        }
        if (!subnet.Contains(gateway))
        {
            throw new IpamException($"gateway {gateway} is not in subnet {subnet}");
        }
        if (range is { } r && (!subnet.Contains(r.First) || !subnet.Contains(r.Last)))
        {
            throw new IpamException($"ip range {r} is not in subnet {subnet}");
        }
        Subnet = subnet;
        Gateway = gateway;
        Range = range;
    }

    public Ipv4Subnet Subnet { get; }

    public IPAddress Gateway { get; }

    public Ipv4Subnet? Range { get; }

    /// <summary>The first gateway of a subnet, as Docker picks it: the network address + 1.</summary>
    public static IPAddress DefaultGateway(Ipv4Subnet subnet) => Ipv4Subnet.ToAddress(subnet.Network + 1);

    /// <summary>Gives out <paramref name="requested"/> when set (it must be free and in the subnet), else the lowest free address of the range.</summary>
    public IPAddress Allocate(IPAddress? requested = null)
    {
        lock (_lock)
        {
            if (requested is not null)
            {
                var address = Ipv4Subnet.ToUInt32(requested);
                CheckUsable(address, requested);
                if (!_allocated.Add(address))
                {
                    throw new IpamException($"Address already in use: {requested}");
                }
                return requested;
            }
            var range = Range ?? Subnet;
            for (var candidate = Math.Max(range.First, Subnet.First + 1); candidate <= Math.Min(range.Last, Subnet.Last - 1); candidate++)
            {
                if (!IsReserved(candidate) && !_allocated.Contains(candidate))
                {
                    _allocated.Add(candidate);
                    return Ipv4Subnet.ToAddress(candidate);
                }
            }
            throw new IpamException($"no available IPv4 addresses on this network's address pools: {Subnet}{(Range is null ? "" : $" (range {Range})")}");
        }
    }

    /// <summary>Marks an address as taken again (restoring persisted endpoints); an address taken twice is an error.</summary>
    public void Reserve(IPAddress address) => Allocate(address);

    /// <summary>Returns an address; returns false when it was not given out.</summary>
    public bool Release(IPAddress address)
    {
        lock (_lock)
        {
            return _allocated.Remove(Ipv4Subnet.ToUInt32(address));
        }
    }

    public IReadOnlyList<IPAddress> Allocated
    {
        get
        {
            lock (_lock)
            {
                return [.. _allocated.Select(Ipv4Subnet.ToAddress)];
            }
        }
    }

    private void CheckUsable(uint address, IPAddress text)
    {
        if (!Subnet.Contains(address))
        {
            throw new IpamException($"requested address {text} is not in subnet {Subnet}");
        }
        if (address == Subnet.First || address == Subnet.Last)
        {
            throw new IpamException($"requested address {text} is the network or broadcast address of {Subnet}");
        }
        if (IsReserved(address))
        {
            throw new IpamException($"Address already in use: {text} (the gateway)");
        }
    }

    private bool IsReserved(uint address) => address == Ipv4Subnet.ToUInt32(Gateway);
}
