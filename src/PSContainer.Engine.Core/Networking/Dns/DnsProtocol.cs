namespace PSContainer.Engine.Core.Networking.Dns;

/// <summary>Resource record types the embedded server handles or refuses (RFC 1035 3.2.2, RFC 3596, RFC 6891).</summary>
public enum DnsRecordType : ushort
{
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    PTR = 12,
    MX = 15,
    TXT = 16,
    AAAA = 28,
    SRV = 33,
    OPT = 41,
    IXFR = 251,
    AXFR = 252,
    ANY = 255,
}

/// <summary>Response codes (RFC 1035 4.1.1).</summary>
public enum DnsResponseCode : byte
{
    NoError = 0,
    FormatError = 1,
    ServerFailure = 2,
    NameError = 3,
    NotImplemented = 4,
    Refused = 5,
}

/// <summary>Fixed numbers of the wire format.</summary>
public static class DnsWire
{
    public const int HeaderLength = 12;

    /// <summary>The largest UDP answer a client without EDNS0 accepts (RFC 1035 4.2.1).</summary>
    public const int ClassicUdpLimit = 512;

    /// <summary>
    /// The UDP payload size this server advertises and caps answers at: 1232 avoids IP fragmentation
    /// on any path with a 1280-byte MTU (the DNS flag day 2020 recommendation).
    /// </summary>
    public const int EdnsUdpLimit = 1232;

    /// <summary>A TCP message carries a 16-bit length prefix (RFC 1035 4.2.2).</summary>
    public const int TcpLimit = ushort.MaxValue;

    public const ushort ClassIn = 1;
    public const int MaxNameLength = 255;
    public const int MaxLabelLength = 63;

    // Header flag bits (second 16-bit word).
    public const ushort FlagResponse = 0x8000;
    public const ushort FlagAuthoritative = 0x0400;
    public const ushort FlagTruncated = 0x0200;
    public const ushort FlagRecursionDesired = 0x0100;
    public const ushort FlagRecursionAvailable = 0x0080;
}

/// <summary>A DNS message that cannot be read; <see cref="Id"/> is set when the header was readable.</summary>
public sealed class DnsFormatException(string message, ushort? id = null) : FormatException(message)
{
    public ushort? Id { get; } = id;
}
