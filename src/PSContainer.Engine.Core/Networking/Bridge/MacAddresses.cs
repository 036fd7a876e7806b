using System.Net;

namespace PSContainer.Engine.Core.Networking.Bridge;

/// <summary>Docker's container MAC addresses: 02:42 (locally administered) followed by the four bytes of the IPv4 address.</summary>
public static class MacAddresses
{
    public static byte[] FromIPv4(IPAddress address)
    {
        var ip = address.GetAddressBytes();
        return ip.Length == 4 ? [0x02, 0x42, ip[0], ip[1], ip[2], ip[3]] : throw new ArgumentException($"{address} is not IPv4", nameof(address));
    }

    public static string Format(ReadOnlySpan<byte> mac) => Convert.ToHexString(mac).ToLowerInvariant() is var hex
        ? string.Join(':', Enumerable.Range(0, mac.Length).Select(i => hex.Substring(i * 2, 2)))
        : "";

    /// <summary>"02:42:ac:11:00:02" → bytes; FormatException naming the text otherwise.</summary>
    public static byte[] Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 6 || parts.Any(p => p.Length != 2))
        {
            throw new FormatException($"invalid MAC address: {text}");
        }
        try
        {
            return [.. parts.Select(p => Convert.ToByte(p, 16))];
        }
        catch (FormatException e)
        {
            throw new FormatException($"invalid MAC address: {text}", e);
        }
    }
}
