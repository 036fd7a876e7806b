namespace PSContainer.Engine.Core.Networking.Ipam;

/// <summary>
/// Docker's default address pools, in Docker's order: 172.17.0.0/16 … 172.31.0.0/16, then
/// 192.168.0.0/16 cut into /20s. A network without --subnet gets the first one that overlaps
/// neither a route on the host nor another network.
/// </summary>
public static class DefaultPools
{
    public static IEnumerable<Ipv4Subnet> Candidates()
    {
        for (uint second = 17; second <= 31; second++)
        {
            yield return new Ipv4Subnet((172u << 24) | (second << 16), 16);
        }
        for (uint third = 0; third < 256; third += 16)
        {
            yield return new Ipv4Subnet((192u << 24) | (168u << 16) | (third << 8), 20);
        }
    }

    /// <summary>The first candidate free of <paramref name="hostRoutes"/> and <paramref name="taken"/>; throws when all are used.</summary>
    public static Ipv4Subnet Choose(IEnumerable<Ipv4Subnet> hostRoutes, IEnumerable<Ipv4Subnet> taken)
    {
        var busy = hostRoutes.Concat(taken).ToList();
        foreach (var candidate in Candidates())
        {
            if (!busy.Any(b => b.Overlaps(candidate)))
            {
                return candidate;
            }
        }
        throw new IpamException("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network");
    }
}

/// <summary>An address management failure whose message is for the user (pool exhausted, address in use, outside the subnet).</summary>
public sealed class IpamException(string message) : Exception(message);
