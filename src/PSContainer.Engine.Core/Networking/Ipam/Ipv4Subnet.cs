using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PSContainer.Engine.Core.Networking.Ipam;

/// <summary>An IPv4 network in CIDR form (address bits below the prefix are zero).</summary>
public readonly record struct Ipv4Subnet(uint Network, int PrefixLength)
{
    public uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);

    public uint First => Network;

    public uint Last => Network | ~Mask;

    public ulong Size => 1UL << (32 - PrefixLength);

    public bool Contains(uint address) => (address & Mask) == Network;

    public bool Contains(IPAddress address) => Contains(ToUInt32(address));

    public bool Overlaps(Ipv4Subnet other) => Contains(other.Network) || other.Contains(Network);

    /// <summary>"10.1.0.0/16"; a host part that is not zero is refused, as Docker does ("invalid subnet").</summary>
    public static Ipv4Subnet Parse(string text)
    {
        if (!TryParseLoose(text, out var address, out var prefix))
        {
            throw new FormatException($"invalid CIDR address: {text}");
        }
        var subnet = new Ipv4Subnet(address & MaskOf(prefix), prefix);
        return subnet.Network == address ? subnet : throw new FormatException($"invalid subnet {text}: the host part must be zero (did you mean {subnet}?)");
    }

    /// <summary>Parses "a.b.c.d/n" without requiring a zero host part (for --ip-range style input that Docker also normalises).</summary>
    public static Ipv4Subnet ParseNormalised(string text) =>
        TryParseLoose(text, out var address, out var prefix) ? new Ipv4Subnet(address & MaskOf(prefix), prefix) : throw new FormatException($"invalid CIDR address: {text}");

    private static bool TryParseLoose(string text, out uint address, out int prefix)
    {
        address = 0;
        prefix = 0;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(text[..slash], out var ip) || ip.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > 32
            || text[..slash].Count(c => c == '.') != 3)
        {
            return false;
        }
        address = ToUInt32(ip);
        return true;
    }

    public static uint MaskOf(int prefixLength) => prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength);

    public static uint ToUInt32(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork
            ? BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes())
            : throw new FormatException($"{address} is not an IPv4 address");

    public static IPAddress ToAddress(uint address)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, address);
        return new IPAddress(bytes);
    }

    /// <summary>A dotted IPv4 address; throws FormatException naming the text otherwise.</summary>
    public static IPAddress ParseAddress(string text) =>
        IPAddress.TryParse(text, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork && text.Count(c => c == '.') == 3
            ? ip
            : throw new FormatException($"invalid IPv4 address: {text}");

    public override string ToString() => $"{ToAddress(Network)}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";
}
