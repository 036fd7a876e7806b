using System.Buffers.Binary;
using System.Text;

namespace PSContainer.Engine.Core.Networking.Dns;

/// <summary>
/// Reads a DNS query from its wire form (RFC 1035 4.1): the header, exactly one question (names
/// may use compression pointers, 4.1.4), answer and authority records skipped, and the EDNS0 OPT
/// record picked out of the additional section. Anything malformed is a <see cref="DnsFormatException"/>.
/// </summary>
public static class DnsQueryReader
{
    /// <summary>Reads the message's id and flags, or null when it is shorter than a header.</summary>
    public static (ushort Id, ushort Flags)? ReadHeader(ReadOnlySpan<byte> message) =>
        message.Length < DnsWire.HeaderLength
            ? null
            : (BinaryPrimitives.ReadUInt16BigEndian(message), BinaryPrimitives.ReadUInt16BigEndian(message[2..]));

    public static DnsQuery Read(ReadOnlySpan<byte> message)
    {
        if (ReadHeader(message) is not var (id, flags))
        {
            throw new DnsFormatException($"message of {message.Length} bytes is shorter than the {DnsWire.HeaderLength}-byte header");
        }
        var questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var answers = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        var authorities = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        var additionals = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        if (questions != 1)
        {
            throw new DnsFormatException($"query has {questions} questions; exactly one is supported", id);
        }

        var offset = DnsWire.HeaderLength;
        var (name, nameWire) = ReadName(message, ref offset, id);
        var type = (DnsRecordType)ReadUInt16(message, ref offset, id);
        var @class = ReadUInt16(message, ref offset, id);

        for (var i = 0; i < answers + authorities; i++)
        {
            SkipRecord(message, ref offset, id);
        }
        DnsEdns? edns = null;
        for (var i = 0; i < additionals; i++)
        {
            var (recordName, _) = ReadName(message, ref offset, id);
            var recordType = (DnsRecordType)ReadUInt16(message, ref offset, id);
            var recordClass = ReadUInt16(message, ref offset, id);
            var ttl = ReadUInt32(message, ref offset, id);
            var length = ReadUInt16(message, ref offset, id);
            Skip(message, ref offset, length, id);
            if (recordType == DnsRecordType.OPT)
            {
                // RFC 6891 6.1.1: one OPT record, owned by the root; its class is the sender's UDP
                // payload size and its TTL carries the extended rcode, version and the DO bit.
                if (edns is not null || recordName.Length != 0)
                {
                    throw new DnsFormatException("query carries more than one OPT record or one not owned by the root", id);
                }
                edns = new DnsEdns(recordClass, (byte)(ttl >> 16), (ttl & 0x8000) != 0);
            }
        }
        return new DnsQuery(id, flags, name, nameWire, type, @class, edns);
    }

    /// <summary>
    /// Reads a possibly compressed name at <paramref name="offset"/> and moves past it. Pointers
    /// must point strictly backwards, which rules out loops; the expanded name is at most 255 bytes.
    /// </summary>
    internal static (string Name, byte[] Wire) ReadName(ReadOnlySpan<byte> message, ref int offset, ushort? id = null)
    {
        var presentation = new StringBuilder();
        var wire = new List<byte>(32);
        var position = offset;
        var resumeAt = -1;
        var lowestPointerTarget = offset;
        while (true)
        {
            if (position >= message.Length)
            {
                throw new DnsFormatException($"name at offset {offset} runs past the end of the message", id);
            }
            var length = message[position];
            switch (length & 0xC0)
            {
                case 0xC0:
                    if (position + 1 >= message.Length)
                    {
                        throw new DnsFormatException($"compression pointer at offset {position} is cut off", id);
                    }
                    var target = ((length & 0x3F) << 8) | message[position + 1];
                    if (target >= lowestPointerTarget)
                    {
                        throw new DnsFormatException($"compression pointer at offset {position} to {target} does not point backwards", id);
                    }
                    lowestPointerTarget = target;
                    if (resumeAt < 0)
                    {
                        resumeAt = position + 2;
                    }
                    position = target;
                    continue;
                case 0x00:
                    break;
                default:
                    throw new DnsFormatException($"label type 0x{length & 0xC0:x2} at offset {position} is not supported", id);
            }
            if (length == 0)
            {
                wire.Add(0);
                offset = resumeAt >= 0 ? resumeAt : position + 1;
                if (wire.Count > DnsWire.MaxNameLength)
                {
                    throw new DnsFormatException($"name at offset {offset} is longer than {DnsWire.MaxNameLength} bytes", id);
                }
                return (presentation.ToString(), wire.ToArray());
            }
            if (position + 1 + length > message.Length)
            {
                throw new DnsFormatException($"label at offset {position} runs past the end of the message", id);
            }
            var label = message.Slice(position + 1, length);
            wire.Add(length);
            wire.AddRange(label);
            if (wire.Count > DnsWire.MaxNameLength)
            {
                throw new DnsFormatException($"name at offset {offset} is longer than {DnsWire.MaxNameLength} bytes", id);
            }
            if (presentation.Length > 0)
            {
                presentation.Append('.');
            }
            AppendLabel(presentation, label);
            position += 1 + length;
        }
    }

    private static void AppendLabel(StringBuilder builder, ReadOnlySpan<byte> label)
    {
        foreach (var b in label)
        {
            if (b is > 0x20 and < 0x7F and not (byte)'.' and not (byte)'\\')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('\\').Append(b.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    private static void SkipRecord(ReadOnlySpan<byte> message, ref int offset, ushort id)
    {
        _ = ReadName(message, ref offset, id);
        Skip(message, ref offset, 8, id); // type, class, ttl
        var length = ReadUInt16(message, ref offset, id);
        Skip(message, ref offset, length, id);
    }

    private static void Skip(ReadOnlySpan<byte> message, ref int offset, int count, ushort id)
    {
        if (offset + count > message.Length)
        {
            throw new DnsFormatException($"record at offset {offset} runs past the end of the message", id);
        }
        offset += count;
    }

    private static ushort ReadUInt16(ReadOnlySpan<byte> message, ref int offset, ushort id)
    {
        if (offset + 2 > message.Length)
        {
            throw new DnsFormatException($"message ends inside a field at offset {offset}", id);
        }
        var value = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
        offset += 2;
        return value;
    }

    private static uint ReadUInt32(ReadOnlySpan<byte> message, ref int offset, ushort id)
    {
        if (offset + 4 > message.Length)
        {
            throw new DnsFormatException($"message ends inside a field at offset {offset}", id);
        }
        var value = BinaryPrimitives.ReadUInt32BigEndian(message[offset..]);
        offset += 4;
        return value;
    }
}
