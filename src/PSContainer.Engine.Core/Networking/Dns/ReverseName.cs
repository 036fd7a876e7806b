using System.Globalization;
using System.Net;

namespace PSContainer.Engine.Core.Networking.Dns;

/// <summary>Addresses behind PTR names: "4.3.2.1.in-addr.arpa" (RFC 1035 3.5) and the nibble form under "ip6.arpa" (RFC 3596 2.5).</summary>
public static class ReverseName
{
    private const string V4Suffix = ".in-addr.arpa";
    private const string V6Suffix = ".ip6.arpa";

    /// <summary>The address a lower-case PTR name stands for, or null when it is not a complete reverse name.</summary>
    public static IPAddress? Parse(string name)
    {
        if (name.EndsWith(V4Suffix, StringComparison.Ordinal))
        {
            var parts = name[..^V4Suffix.Length].Split('.');
            if (parts.Length != 4)
            {
                return null;
            }
            var bytes = new byte[4];
            for (var i = 0; i < 4; i++)
            {
                var part = parts[3 - i];
                if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0')
                    || !byte.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i]))
                {
                    return null;
                }
            }
            return new IPAddress(bytes);
        }
        if (name.EndsWith(V6Suffix, StringComparison.Ordinal))
        {
            var nibbles = name[..^V6Suffix.Length].Split('.');
            if (nibbles.Length != 32)
            {
                return null;
            }
            var bytes = new byte[16];
            for (var i = 0; i < 32; i++)
            {
                var nibble = nibbles[31 - i];
                if (nibble.Length != 1 || !Uri.IsHexDigit(nibble[0]))
                {
                    return null;
                }
                var value = (byte)Convert.ToInt32(nibble, 16);
                bytes[i / 2] |= (byte)(i % 2 == 0 ? value << 4 : value);
            }
            return new IPAddress(bytes);
        }
        return null;
    }

    /// <summary>The PTR name of an address (for tests and for clients of the server).</summary>
    public static string For(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        if (bytes.Length == 4)
        {
            return $"{bytes[3]}.{bytes[2]}.{bytes[1]}.{bytes[0]}{V4Suffix}";
        }
        var nibbles = new List<string>(32);
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            nibbles.Add((bytes[i] & 0xF).ToString("x", CultureInfo.InvariantCulture));
            nibbles.Add((bytes[i] >> 4).ToString("x", CultureInfo.InvariantCulture));
        }
        return string.Join('.', nibbles) + V6Suffix;
    }
}
