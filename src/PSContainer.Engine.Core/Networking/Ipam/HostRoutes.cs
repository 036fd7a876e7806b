using System.Buffers.Binary;
using System.Globalization;

namespace PSContainer.Engine.Core.Networking.Ipam;

/// <summary>
/// The IPv4 networks the host already routes (from /proc/net/route), so that a default pool never
/// takes an address range in use on the host — dockerd's 172.17.0.0/16 beside us, a VPN, the LAN.
/// </summary>
public static class HostRoutes
{
    /// <summary>Destination networks of every route except the default route.</summary>
    public static IReadOnlyList<Ipv4Subnet> Read(string path = "/proc/net/route") =>
        File.Exists(path) ? Parse(File.ReadAllText(path)) : [];

    /// <summary>Parses the /proc/net/route table (hex, host byte order fields Destination and Mask).</summary>
    public static IReadOnlyList<Ipv4Subnet> Parse(string table)
    {
        var result = new List<Ipv4Subnet>();
        foreach (var line in table.Split('\n').Skip(1))
        {
            var fields = line.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 8
                || !uint.TryParse(fields[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var destination)
                || !uint.TryParse(fields[7], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask))
            {
                continue;
            }
            // The kernel prints the network-order words as host-order (little-endian) integers.
            var network = BinaryPrimitives.ReverseEndianness(destination);
            var netmask = BinaryPrimitives.ReverseEndianness(mask);
            var prefix = 32 - System.Numerics.BitOperations.TrailingZeroCount(netmask == 0 ? 0 : netmask);
            if (netmask == 0)
            {
                continue; // the default route covers everything; it does not make a range busy
            }
            result.Add(new Ipv4Subnet(network & netmask, prefix));
        }
        return result;
    }
}
