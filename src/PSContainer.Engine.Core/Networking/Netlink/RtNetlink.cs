namespace PSContainer.Engine.Core.Networking.Netlink;

/// <summary>The rtnetlink numbers the engine uses (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h).</summary>
internal static class RtNetlink
{
    // Message types.
    public const ushort NLMSG_ERROR = 2, NLMSG_DONE = 3;
    public const ushort RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_SETLINK = 19;
    public const ushort RTM_NEWADDR = 20, RTM_DELADDR = 21, RTM_NEWROUTE = 24;

    // Header flags.
    public const ushort NLM_F_REQUEST = 0x1, NLM_F_MULTI = 0x2, NLM_F_ACK = 0x4;
    public const ushort NLM_F_REPLACE = 0x100, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400, NLM_F_DUMP = 0x300;

    // Address families.
    public const byte AF_UNSPEC = 0, AF_INET = 2, AF_BRIDGE = 7;

    // struct ifinfomsg attributes.
    public const ushort IFLA_ADDRESS = 1, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_MASTER = 10, IFLA_PROTINFO = 12;
    public const ushort IFLA_LINKINFO = 18, IFLA_NET_NS_FD = 28;
    public const ushort IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2;
    public const ushort VETH_INFO_PEER = 1;
    public const ushort IFLA_BRPORT_MODE = 4; // hairpin
    public const uint IFF_UP = 0x1;

    // struct ifaddrmsg attributes.
    public const ushort IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_BROADCAST = 4;

    // struct rtmsg.
    public const ushort RTA_DST = 1, RTA_OIF = 4, RTA_GATEWAY = 5;
    public const byte RT_TABLE_MAIN = 254, RTPROT_BOOT = 3, RT_SCOPE_UNIVERSE = 0, RTN_UNICAST = 1;

    public const ushort NLA_F_NESTED = 0x8000;

    public const int HeaderSize = 16, IfInfoMsgSize = 16, IfAddrMsgSize = 8, RtMsgSize = 12;
}
