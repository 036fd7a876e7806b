using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using static PSContainer.Engine.Core.Networking.Netlink.RtNetlink;

namespace PSContainer.Engine.Core.Networking.Netlink;

/// <summary>A network interface as a dump reports it.</summary>
public sealed record LinkInfo(int Index, string Name, uint Flags, int? Master);

/// <summary>
/// The link, address and route operations of the bridge driver over one rtnetlink socket, in the
/// network namespace that socket belongs to. Every request is acknowledged, so a failure surfaces
/// here with the operation, the interface and errno.
/// </summary>
public sealed class RtNetlinkClient : IDisposable
{
    private readonly NetlinkSocket _socket;

    private RtNetlinkClient(NetlinkSocket socket) => _socket = socket;

    /// <summary>A client for the calling thread's (normally the host's) network namespace.</summary>
    public static RtNetlinkClient Open() => new(NetlinkSocket.Open());

    internal static RtNetlinkClient Over(NetlinkSocket socket) => new(socket);

    /// <summary>Creates a Linux bridge; returns false when a link of that name already exists (engine restart).</summary>
    public bool CreateBridge(string name, int? mtu)
    {
        var message = Messages.NewBridge(name, mtu);
        try
        {
            _socket.Request(message, $"create bridge {name}");
            return true;
        }
        catch (Interop.Linux.SyscallException e) when (e.Errno == Interop.Linux.Errno.EEXIST)
        {
            return false;
        }
    }

    /// <summary>
    /// Creates a veth pair: <paramref name="hostName"/> here, and its peer directly inside the
    /// namespace <paramref name="peerNamespaceFd"/> as <paramref name="peerName"/> with its MAC and MTU set.
    /// </summary>
    public void CreateVethPair(string hostName, string peerName, int peerNamespaceFd, ReadOnlySpan<byte> peerMac, int? mtu) =>
        _socket.Request(Messages.NewVeth(hostName, peerName, peerNamespaceFd, peerMac, mtu), $"create veth {hostName}/{peerName}");

    /// <summary>The interface index of <paramref name="name"/>, or null when there is none.</summary>
    public int? IndexOf(string name)
    {
        try
        {
            var reply = _socket.Query(Messages.GetLink(name), $"get link {name}");
            return reply.Count > 0 ? BinaryPrimitives.ReadInt32LittleEndian(reply[0].Payload.AsSpan(4)) : null;
        }
        catch (Interop.Linux.SyscallException e) when (e.Errno == Interop.Linux.Errno.ENODEV)
        {
            return null;
        }
    }

    public int RequireIndex(string name) =>
        IndexOf(name) ?? throw new Interop.Linux.SyscallException("find link", name, Interop.Linux.Errno.ENODEV);

    /// <summary>Every link of this namespace.</summary>
    public IReadOnlyList<LinkInfo> Links()
    {
        var result = new List<LinkInfo>();
        foreach (var (type, payload) in _socket.Query(Messages.DumpLinks(), "list links"))
        {
            if (type != RTM_NEWLINK || payload.Length < IfInfoMsgSize)
            {
                continue;
            }
            var index = BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(4));
            var flags = BinaryPrimitives.ReadUInt32LittleEndian(payload.AsSpan(8));
            string name = "";
            int? master = null;
            foreach (var attribute in NetlinkAttribute.Parse(payload.AsMemory(IfInfoMsgSize)))
            {
                if (attribute.Type == IFLA_IFNAME)
                {
                    name = attribute.AsString();
                }
                else if (attribute.Type == IFLA_MASTER)
                {
                    master = (int)attribute.AsUInt32();
                }
            }
            result.Add(new LinkInfo(index, name, flags, master));
        }
        return result;
    }

    public void SetUp(string name) => _socket.Request(Messages.SetFlags(RequireIndex(name), up: true), $"set {name} up");

    public void SetMaster(string name, string master) =>
        _socket.Request(Messages.SetMaster(RequireIndex(name), RequireIndex(master)), $"attach {name} to {master}");

    public void SetMtu(string name, int mtu) => _socket.Request(Messages.SetMtu(RequireIndex(name), mtu), $"set mtu {mtu} on {name}");

    /// <summary>Hairpin mode on a bridge port: traffic may leave by the port it came in (a container reaching itself through a published port).</summary>
    public void SetHairpin(string port) => _socket.Request(Messages.SetHairpin(RequireIndex(port)), $"set hairpin on {port}");

    /// <summary>Adds (or replaces) an IPv4 address with its prefix length and broadcast address.</summary>
    public void AddAddress(string name, IPAddress address, int prefixLength) =>
        _socket.Request(Messages.NewAddress(RequireIndex(name), address, prefixLength), $"add address {address}/{prefixLength} to {name}");

    /// <summary>The default route via <paramref name="gateway"/> out of <paramref name="name"/>.</summary>
    public void AddDefaultRoute(string name, IPAddress gateway) =>
        _socket.Request(Messages.NewDefaultRoute(RequireIndex(name), gateway), $"add default route via {gateway} dev {name}");

    /// <summary>Deletes a link; returns false when it did not exist.</summary>
    public bool DeleteLink(string name)
    {
        try
        {
            _socket.Request(Messages.DeleteLink(name), $"delete link {name}");
            return true;
        }
        catch (Interop.Linux.SyscallException e) when (e.Errno == Interop.Linux.Errno.ENODEV)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>The request messages, separate so tests can check their bytes.</summary>
    internal static class Messages
    {
        private const ushort Create = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
        private const ushort Change = NLM_F_REQUEST | NLM_F_ACK;

        public static NetlinkMessage NewBridge(string name, int? mtu)
        {
            var message = new NetlinkMessage(RTM_NEWLINK, Create).IfInfo(AF_UNSPEC, 0).String(IFLA_IFNAME, CheckName(name));
            if (mtu is { } m)
            {
                message.UInt32(IFLA_MTU, (uint)m);
            }
            var info = message.BeginNested(IFLA_LINKINFO);
            message.String(IFLA_INFO_KIND, "bridge");
            return message.EndNested(info);
        }

        public static NetlinkMessage NewVeth(string hostName, string peerName, int peerNamespaceFd, ReadOnlySpan<byte> peerMac, int? mtu)
        {
            var message = new NetlinkMessage(RTM_NEWLINK, Create).IfInfo(AF_UNSPEC, 0).String(IFLA_IFNAME, CheckName(hostName));
            if (mtu is { } m)
            {
                message.UInt32(IFLA_MTU, (uint)m);
            }
            var info = message.BeginNested(IFLA_LINKINFO);
            message.String(IFLA_INFO_KIND, "veth");
            var data = message.BeginNested(IFLA_INFO_DATA);
            // VETH_INFO_PEER carries a whole ifinfomsg followed by the peer's own attributes.
            var peer = message.BeginNestedRaw(VETH_INFO_PEER);
            message.IfInfo(AF_UNSPEC, 0).String(IFLA_IFNAME, CheckName(peerName)).UInt32(IFLA_NET_NS_FD, (uint)peerNamespaceFd);
            if (!peerMac.IsEmpty)
            {
                message.Attribute(IFLA_ADDRESS, peerMac);
            }
            if (mtu is { } pm)
            {
                message.UInt32(IFLA_MTU, (uint)pm);
            }
            message.EndNested(peer);
            message.EndNested(data);
            return message.EndNested(info);
        }

        public static NetlinkMessage GetLink(string name) =>
            new NetlinkMessage(RTM_GETLINK, NLM_F_REQUEST).IfInfo(AF_UNSPEC, 0).String(IFLA_IFNAME, CheckName(name));

        public static NetlinkMessage DumpLinks() => new NetlinkMessage(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP).IfInfo(AF_UNSPEC, 0);

        public static NetlinkMessage SetFlags(int index, bool up) =>
            new NetlinkMessage(RTM_NEWLINK, Change).IfInfo(AF_UNSPEC, index, up ? IFF_UP : 0, IFF_UP);

        public static NetlinkMessage SetMaster(int index, int master) =>
            new NetlinkMessage(RTM_NEWLINK, Change).IfInfo(AF_UNSPEC, index).UInt32(IFLA_MASTER, (uint)master);

        public static NetlinkMessage SetMtu(int index, int mtu) =>
            new NetlinkMessage(RTM_NEWLINK, Change).IfInfo(AF_UNSPEC, index).UInt32(IFLA_MTU, (uint)mtu);

        public static NetlinkMessage SetHairpin(int index)
        {
            var message = new NetlinkMessage(RTM_SETLINK, Change).IfInfo(AF_BRIDGE, index);
            var protinfo = message.BeginNested(IFLA_PROTINFO);
            message.Byte(IFLA_BRPORT_MODE, 1);
            return message.EndNested(protinfo);
        }

        public static NetlinkMessage NewAddress(int index, IPAddress address, int prefixLength)
        {
            RequireIPv4(address);
            var bytes = address.GetAddressBytes();
            var broadcast = (BinaryPrimitives.ReadUInt32BigEndian(bytes) | (prefixLength >= 32 ? 0u : uint.MaxValue >> prefixLength));
            Span<byte> broadcastBytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(broadcastBytes, broadcast);
            return new NetlinkMessage(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE)
                .IfAddr(AF_INET, (byte)prefixLength, index)
                .Attribute(IFA_LOCAL, bytes)
                .Attribute(IFA_ADDRESS, bytes)
                .Attribute(IFA_BROADCAST, broadcastBytes);
        }

        public static NetlinkMessage NewDefaultRoute(int index, IPAddress gateway)
        {
            RequireIPv4(gateway);
            return new NetlinkMessage(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE)
                .RtMsg(AF_INET, 0)
                .Attribute(RTA_GATEWAY, gateway.GetAddressBytes())
                .UInt32(RTA_OIF, (uint)index);
        }

        public static NetlinkMessage DeleteLink(string name) =>
            new NetlinkMessage(RTM_DELLINK, Change).IfInfo(AF_UNSPEC, 0).String(IFLA_IFNAME, CheckName(name));

        /// <summary>Interface names are 1..15 bytes (IFNAMSIZ 16 with the NUL), no '/', ':' or white space.</summary>
        public static string CheckName(string name) =>
            name.Length is > 0 and <= 15 && !name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c) || c > 127)
                ? name
                : throw new ArgumentException($"invalid network interface name \"{name}\" (1 to 15 characters, no '/', ':' or spaces)", nameof(name));

        private static void RequireIPv4(IPAddress address)
        {
            if (address.AddressFamily != AddressFamily.InterNetwork)
            {
                throw new ArgumentException($"{address}: only IPv4 is supported", nameof(address));
            }
        }
    }
}
