using System.Buffers.Binary;
using System.Text;

namespace PSContainer.Engine.Core.Networking.Netlink;

/// <summary>
/// Builds one netlink request: the 16-byte nlmsghdr, a fixed family header (ifinfomsg, ifaddrmsg,
/// rtmsg) and type-length-value attributes, each padded to 4 bytes; nested attributes get their
/// length when they are closed. Host byte order throughout (little-endian here), as netlink wants.
/// </summary>
internal sealed class NetlinkMessage
{
    private byte[] _buffer = new byte[256];
    private int _length;

    public NetlinkMessage(ushort type, ushort flags)
    {
        Type = type;
        Flags = flags;
        _length = RtNetlink.HeaderSize;
    }

    public ushort Type { get; }

    public ushort Flags { get; }

    /// <summary>struct ifinfomsg: family, type 0, index, flags and the mask of flags to change.</summary>
    public NetlinkMessage IfInfo(byte family, int index, uint flags = 0, uint change = 0)
    {
        var span = Reserve(RtNetlink.IfInfoMsgSize);
        span[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], index);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], change);
        return this;
    }

    /// <summary>struct ifaddrmsg.</summary>
    public NetlinkMessage IfAddr(byte family, byte prefixLength, int index)
    {
        var span = Reserve(RtNetlink.IfAddrMsgSize);
        span[0] = family;
        span[1] = prefixLength;
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], index);
        return this;
    }

    /// <summary>struct rtmsg for a unicast route in the main table.</summary>
    public NetlinkMessage RtMsg(byte family, byte destinationLength)
    {
        var span = Reserve(RtNetlink.RtMsgSize);
        span[0] = family;
        span[1] = destinationLength;
        span[4] = RtNetlink.RT_TABLE_MAIN;
        span[5] = RtNetlink.RTPROT_BOOT;
        span[6] = RtNetlink.RT_SCOPE_UNIVERSE;
        span[7] = RtNetlink.RTN_UNICAST;
        return this;
    }

    public NetlinkMessage Attribute(ushort type, ReadOnlySpan<byte> value)
    {
        var total = 4 + value.Length;
        var span = Reserve(Align(total));
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)total);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        value.CopyTo(span[4..]);
        return this;
    }

    /// <summary>A NUL-terminated string attribute (interface names, link kinds).</summary>
    public NetlinkMessage String(ushort type, string value)
    {
        var bytes = new byte[Encoding.ASCII.GetByteCount(value) + 1];
        Encoding.ASCII.GetBytes(value, bytes);
        return Attribute(type, bytes);
    }

    public NetlinkMessage UInt32(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return Attribute(type, bytes);
    }

    public NetlinkMessage Byte(ushort type, byte value) => Attribute(type, [value]);

    /// <summary>Opens a nested attribute; returns its offset for <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type)
    {
        var offset = _length;
        var span = Reserve(4);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], (ushort)(type | RtNetlink.NLA_F_NESTED));
        return offset;
    }

    /// <summary>Opens a nested block that carries a fixed header before its attributes (VETH_INFO_PEER holds an ifinfomsg).</summary>
    public int BeginNestedRaw(ushort type)
    {
        var offset = _length;
        var span = Reserve(4);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        return offset;
    }

    public NetlinkMessage EndNested(int offset)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(offset), (ushort)(_length - offset));
        return this;
    }

    /// <summary>The finished message with its length, flags and sequence number filled in.</summary>
    public byte[] ToArray(uint sequence)
    {
        var bytes = _buffer.AsSpan(0, _length).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)_length);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), Type);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), sequence);
        return bytes;
    }

    public static int Align(int length) => (length + 3) & ~3;

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
        var span = _buffer.AsSpan(_length, count);
        span.Clear();
        _length += count;
        return span;
    }
}

/// <summary>One attribute of a received message.</summary>
internal readonly record struct NetlinkAttribute(ushort Type, ReadOnlyMemory<byte> Value)
{
    public string AsString() => Encoding.ASCII.GetString(Value.Span.TrimEnd((byte)0));

    public uint AsUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Value.Span);

    /// <summary>The attributes in a buffer (after a fixed header), skipping padding.</summary>
    public static List<NetlinkAttribute> Parse(ReadOnlyMemory<byte> data)
    {
        var result = new List<NetlinkAttribute>();
        var offset = 0;
        while (offset + 4 <= data.Length)
        {
            var span = data.Span[offset..];
            var length = BinaryPrimitives.ReadUInt16LittleEndian(span);
            var type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(span[2..]) & ~RtNetlink.NLA_F_NESTED);
            if (length < 4 || offset + length > data.Length)
            {
                break;
            }
            result.Add(new NetlinkAttribute(type, data.Slice(offset + 4, length - 4)));
            offset += NetlinkMessage.Align(length);
        }
        return result;
    }
}
