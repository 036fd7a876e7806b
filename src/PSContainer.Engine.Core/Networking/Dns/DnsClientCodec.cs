using System.Buffers.Binary;
using System.Net;

namespace PSContainer.Engine.Core.Networking.Dns;

/// <summary>One record of a response's answer section.</summary>
public sealed record DnsResponseRecord(string Name, DnsRecordType Type, uint Ttl, IPAddress? Address, string? Target);

/// <summary>A response as a client reads it.</summary>
public sealed record DnsResponse(
    ushort Id,
    ushort Flags,
    string QuestionName,
    DnsRecordType QuestionType,
    IReadOnlyList<DnsResponseRecord> Answers,
    bool HasOpt)
{
    public DnsResponseCode Code => (DnsResponseCode)(Flags & 0xF);

    public bool Truncated => (Flags & DnsWire.FlagTruncated) != 0;

    public bool Authoritative => (Flags & DnsWire.FlagAuthoritative) != 0;
}

/// <summary>
/// The client side of the codec: writes queries and reads responses. The engine's server does not
/// need it; the tests and the benchmark ask the server through it.
/// </summary>
public static class DnsClientCodec
{
    public static byte[] WriteQuery(ushort id, string name, DnsRecordType type, bool recursionDesired = true, ushort? ednsUdpSize = null, ushort @class = DnsWire.ClassIn)
    {
        var nameWire = DnsResponseWriter.EncodeName(name);
        var message = new byte[DnsWire.HeaderLength + nameWire.Length + 4 + (ednsUdpSize is null ? 0 : 11)];
        BinaryPrimitives.WriteUInt16BigEndian(message, id);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), recursionDesired ? DnsWire.FlagRecursionDesired : (ushort)0);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(10), (ushort)(ednsUdpSize is null ? 0 : 1));
        nameWire.CopyTo(message, DnsWire.HeaderLength);
        var offset = DnsWire.HeaderLength + nameWire.Length;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(offset), (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(offset + 2), @class);
        if (ednsUdpSize is { } size)
        {
            offset += 4;
            message[offset] = 0; // root owner
            BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(offset + 1), (ushort)DnsRecordType.OPT);
            BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(offset + 3), size);
        }
        return message;
    }

    public static DnsResponse ReadResponse(ReadOnlySpan<byte> message)
    {
        if (message.Length < DnsWire.HeaderLength)
        {
            throw new DnsFormatException($"response of {message.Length} bytes is shorter than a header");
        }
        var id = BinaryPrimitives.ReadUInt16BigEndian(message);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        var questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var answers = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        var authorities = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        var additionals = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        var offset = DnsWire.HeaderLength;
        var questionName = "";
        var questionType = (DnsRecordType)0;
        for (var i = 0; i < questions; i++)
        {
            (questionName, _) = DnsQueryReader.ReadName(message, ref offset, id);
            questionType = (DnsRecordType)ReadUInt16(message, ref offset);
            offset += 2;
        }
        var records = new List<DnsResponseRecord>();
        var hasOpt = false;
        for (var i = 0; i < answers + authorities + additionals; i++)
        {
            var (name, _) = DnsQueryReader.ReadName(message, ref offset, id);
            var type = (DnsRecordType)ReadUInt16(message, ref offset);
            offset += 2;
            var ttl = (uint)(ReadUInt16(message, ref offset) << 16) | ReadUInt16(message, ref offset);
            var length = ReadUInt16(message, ref offset);
            if (offset + length > message.Length)
            {
                throw new DnsFormatException($"record data at offset {offset} runs past the end", id);
            }
            var data = message.Slice(offset, length);
            hasOpt |= type == DnsRecordType.OPT;
            if (i < answers)
            {
                IPAddress? address = type is DnsRecordType.A or DnsRecordType.AAAA ? new IPAddress(data) : null;
                string? target = null;
                if (type is DnsRecordType.PTR or DnsRecordType.CNAME)
                {
                    var at = offset;
                    (target, _) = DnsQueryReader.ReadName(message, ref at, id);
                }
                records.Add(new DnsResponseRecord(name, type, ttl, address, target));
            }
            offset += length;
        }
        return new DnsResponse(id, flags, questionName, questionType, records, hasOpt);
    }

    private static ushort ReadUInt16(ReadOnlySpan<byte> message, ref int offset)
    {
        if (offset + 2 > message.Length)
        {
            throw new DnsFormatException($"response ends inside a field at offset {offset}");
        }
        var value = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
        offset += 2;
        return value;
    }
}
