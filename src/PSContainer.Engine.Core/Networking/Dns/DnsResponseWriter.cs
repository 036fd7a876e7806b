using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace PSContainer.Engine.Core.Networking.Dns;

/// <summary>One answer record for the question's name: an address (A or AAAA) or a PTR target.</summary>
public sealed record DnsAnswer(DnsRecordType Type, uint Ttl, IPAddress? Address = null, string? Target = null)
{
    public static DnsAnswer For(IPAddress address, uint ttl) =>
        new(address.AddressFamily == AddressFamily.InterNetworkV6 ? DnsRecordType.AAAA : DnsRecordType.A, ttl, address);

    public static DnsAnswer Pointer(string target, uint ttl) => new(DnsRecordType.PTR, ttl, Target: target);
}

/// <summary>
/// Builds responses in wire form (RFC 1035 4.1). The question is repeated as asked and every answer
/// names it through a compression pointer to offset 12. An answer that does not fit the client's
/// limit is sent as header and question with TC set, so the client retries over TCP (RFC 1035 4.2.1).
/// </summary>
public static class DnsResponseWriter
{
    private const ushort PointerToQuestion = 0xC000 | DnsWire.HeaderLength;

    public static byte[] Write(
        DnsQuery query,
        DnsResponseCode code,
        IReadOnlyList<DnsAnswer> answers,
        bool authoritative,
        bool recursionAvailable,
        int sizeLimit)
    {
        var flags = ResponseFlags(query.Flags, code, authoritative, recursionAvailable);
        var full = Build(query, flags, answers);
        return full.Length <= sizeLimit ? full : Build(query, (ushort)(flags | DnsWire.FlagTruncated), []);
    }

    /// <summary>A header-only answer for a query whose question could not be read (FORMERR and the like).</summary>
    public static byte[] WriteHeaderOnly(ushort id, ushort queryFlags, DnsResponseCode code, bool recursionAvailable)
    {
        var message = new byte[DnsWire.HeaderLength];
        BinaryPrimitives.WriteUInt16BigEndian(message, id);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), ResponseFlags(queryFlags, code, authoritative: false, recursionAvailable));
        return message;
    }

    /// <summary>
    /// The same message with TC set and only header and question kept: used when a forwarded
    /// answer is larger than the client accepts over UDP.
    /// </summary>
    public static byte[] Truncate(DnsQuery query, ReadOnlySpan<byte> response)
    {
        var flags = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(response[2..]) | DnsWire.FlagTruncated);
        return Build(query, flags, []);
    }

    private static ushort ResponseFlags(ushort queryFlags, DnsResponseCode code, bool authoritative, bool recursionAvailable)
    {
        // Keep the opcode and RD of the query (RFC 1035 4.1.1); QR marks the response.
        var flags = (ushort)(DnsWire.FlagResponse | (queryFlags & 0x7800) | (queryFlags & DnsWire.FlagRecursionDesired) | (ushort)code);
        if (authoritative)
        {
            flags |= DnsWire.FlagAuthoritative;
        }
        if (recursionAvailable)
        {
            flags |= DnsWire.FlagRecursionAvailable;
        }
        return flags;
    }

    private static byte[] Build(DnsQuery query, ushort flags, IReadOnlyList<DnsAnswer> answers)
    {
        var buffer = new List<byte>(DnsWire.HeaderLength + query.NameWire.Length + 4 + (answers.Count * 28) + 11);
        AppendUInt16(buffer, query.Id);
        AppendUInt16(buffer, flags);
        AppendUInt16(buffer, 1);
        AppendUInt16(buffer, (ushort)answers.Count);
        AppendUInt16(buffer, 0);
        AppendUInt16(buffer, (ushort)(query.Edns is null ? 0 : 1));

        buffer.AddRange(query.NameWire);
        AppendUInt16(buffer, (ushort)query.Type);
        AppendUInt16(buffer, query.Class);

        foreach (var answer in answers)
        {
            AppendUInt16(buffer, PointerToQuestion);
            AppendUInt16(buffer, (ushort)answer.Type);
            AppendUInt16(buffer, DnsWire.ClassIn);
            AppendUInt32(buffer, answer.Ttl);
            var data = RecordData(answer);
            AppendUInt16(buffer, (ushort)data.Length);
            buffer.AddRange(data);
        }

        if (query.Edns is not null)
        {
            // RFC 6891 7: a query with OPT gets an OPT back, stating our own payload size; version 0,
            // no DO bit (nothing here is signed), no options.
            buffer.Add(0);
            AppendUInt16(buffer, (ushort)DnsRecordType.OPT);
            AppendUInt16(buffer, DnsWire.EdnsUdpLimit);
            AppendUInt32(buffer, 0);
            AppendUInt16(buffer, 0);
        }
        return [.. buffer];
    }

    private static byte[] RecordData(DnsAnswer answer) => answer.Type switch
    {
        DnsRecordType.A or DnsRecordType.AAAA => answer.Address?.GetAddressBytes()
            ?? throw new ArgumentException($"{answer.Type} answer without an address", nameof(answer)),
        DnsRecordType.PTR => EncodeName(answer.Target ?? throw new ArgumentException("PTR answer without a target", nameof(answer))),
        _ => throw new ArgumentException($"cannot write a {answer.Type} answer", nameof(answer)),
    };

    /// <summary>A presentation name ("web.net", trailing dot optional) in uncompressed wire form.</summary>
    public static byte[] EncodeName(string name)
    {
        var trimmed = name.EndsWith('.') ? name[..^1] : name;
        var result = new List<byte>(trimmed.Length + 2);
        if (trimmed.Length > 0)
        {
            foreach (var label in trimmed.Split('.'))
            {
                if (label.Length is 0 or > DnsWire.MaxLabelLength || !System.Text.Ascii.IsValid(label))
                {
                    throw new ArgumentException($"'{name}' is not a valid DNS name: label '{label}' is empty, longer than {DnsWire.MaxLabelLength} or not ASCII", nameof(name));
                }
                result.Add((byte)label.Length);
                foreach (var c in label)
                {
                    result.Add((byte)c);
                }
            }
        }
        result.Add(0);
        if (result.Count > DnsWire.MaxNameLength)
        {
            throw new ArgumentException($"'{name}' is longer than {DnsWire.MaxNameLength} bytes in wire form", nameof(name));
        }
        return [.. result];
    }

    private static void AppendUInt16(List<byte> buffer, ushort value)
    {
        buffer.Add((byte)(value >> 8));
        buffer.Add((byte)value);
    }

    private static void AppendUInt32(List<byte> buffer, uint value)
    {
        AppendUInt16(buffer, (ushort)(value >> 16));
        AppendUInt16(buffer, (ushort)value);
    }
}
