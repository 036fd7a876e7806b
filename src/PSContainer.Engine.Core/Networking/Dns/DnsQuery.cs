namespace PSContainer.Engine.Core.Networking.Dns;

/// <summary>The EDNS0 OPT pseudo-record of a query (RFC 6891 6.1.2).</summary>
public sealed record DnsEdns(ushort UdpPayloadSize, byte Version, bool DnssecOk);

/// <summary>
/// A parsed query with its single question. <see cref="Name"/> is the presentation form without
/// the trailing dot (bytes outside printable ASCII as \DDD); <see cref="NameWire"/> is the
/// uncompressed wire form of the name as asked, so an answer repeats the question byte for byte.
/// </summary>
public sealed record DnsQuery(
    ushort Id,
    ushort Flags,
    string Name,
    byte[] NameWire,
    DnsRecordType Type,
    ushort Class,
    DnsEdns? Edns)
{
    public int Opcode => (Flags >> 11) & 0xF;

    public bool RecursionDesired => (Flags & DnsWire.FlagRecursionDesired) != 0;

    /// <summary>The largest UDP answer this client accepts: 512 without EDNS0, its advertised size (capped) with it.</summary>
    public int UdpResponseLimit =>
        Edns is null ? DnsWire.ClassicUdpLimit : Math.Clamp((int)Edns.UdpPayloadSize, DnsWire.ClassicUdpLimit, DnsWire.EdnsUdpLimit);
}
