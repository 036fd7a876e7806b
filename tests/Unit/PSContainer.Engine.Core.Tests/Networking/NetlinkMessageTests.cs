using System.Buffers.Binary;
using System.Net;
using PSContainer.Engine.Core.Networking.Netlink;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Networking;

public sealed class NetlinkMessageTests
{
    [Fact]
    public void Header_carries_length_type_flags_and_sequence()
    {
        var bytes = new NetlinkMessage(RtNetlink.RTM_NEWLINK, 0x0605).IfInfo(RtNetlink.AF_UNSPEC, 7, 1, 1).ToArray(42);

        Assert.Equal(32, bytes.Length); // 16 header + 16 ifinfomsg
        Assert.Equal(32u, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(RtNetlink.RTM_NEWLINK, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(0x0605, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6)));
        Assert.Equal(42u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(7, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16 + 4)));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16 + 8)));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16 + 12)));
    }

    [Fact]
    public void String_attributes_are_nul_terminated_and_padded_to_four_bytes()
    {
        var bytes = new NetlinkMessage(RtNetlink.RTM_GETLINK, RtNetlink.NLM_F_REQUEST).IfInfo(0, 0).String(RtNetlink.IFLA_IFNAME, "psc0").ToArray(1);

        var attribute = bytes.AsSpan(32);
        Assert.Equal(9, BinaryPrimitives.ReadUInt16LittleEndian(attribute)); // 4 + "psc0\0"
        Assert.Equal(RtNetlink.IFLA_IFNAME, BinaryPrimitives.ReadUInt16LittleEndian(attribute[2..]));
        Assert.Equal("psc0\0"u8.ToArray(), attribute.Slice(4, 5).ToArray());
        Assert.Equal(32 + 12, bytes.Length); // 9 rounded up to 12
    }

    [Fact]
    public void Bridge_request_nests_the_link_kind()
    {
        var bytes = RtNetlinkClient.Messages.NewBridge("psc-t1", 1400).ToArray(1);
        var attributes = NetlinkAttribute.Parse(bytes.AsMemory(32));

        Assert.Equal([RtNetlink.IFLA_IFNAME, RtNetlink.IFLA_MTU, RtNetlink.IFLA_LINKINFO], attributes.Select(a => a.Type));
        Assert.Equal("psc-t1", attributes[0].AsString());
        Assert.Equal(1400u, attributes[1].AsUInt32());
        var nestedHeaderType = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(32 + 12 + 8 + 2));
        Assert.Equal(RtNetlink.IFLA_LINKINFO | RtNetlink.NLA_F_NESTED, nestedHeaderType);
        var info = NetlinkAttribute.Parse(attributes[2].Value);
        Assert.Equal(RtNetlink.IFLA_INFO_KIND, Assert.Single(info).Type);
        Assert.Equal("bridge", info[0].AsString());
        Assert.Equal(RtNetlink.NLM_F_REQUEST | RtNetlink.NLM_F_ACK | RtNetlink.NLM_F_CREATE | RtNetlink.NLM_F_EXCL,
            BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6)));
    }

    [Fact]
    public void Veth_peer_is_created_in_the_target_namespace_with_its_name_and_mac()
    {
        byte[] mac = [0x02, 0x42, 10, 5, 0, 9];
        var bytes = RtNetlinkClient.Messages.NewVeth("pscvabc", "eth0", 17, mac, null).ToArray(1);

        var top = NetlinkAttribute.Parse(bytes.AsMemory(32));
        Assert.Equal("pscvabc", top.Single(a => a.Type == RtNetlink.IFLA_IFNAME).AsString());
        var info = NetlinkAttribute.Parse(top.Single(a => a.Type == RtNetlink.IFLA_LINKINFO).Value);
        Assert.Equal("veth", info.Single(a => a.Type == RtNetlink.IFLA_INFO_KIND).AsString());
        var data = NetlinkAttribute.Parse(info.Single(a => a.Type == RtNetlink.IFLA_INFO_DATA).Value);
        var peer = data.Single(a => a.Type == RtNetlink.VETH_INFO_PEER).Value;
        // The peer block starts with its own ifinfomsg, then its attributes.
        var peerAttributes = NetlinkAttribute.Parse(peer[RtNetlink.IfInfoMsgSize..]);
        Assert.Equal("eth0", peerAttributes.Single(a => a.Type == RtNetlink.IFLA_IFNAME).AsString());
        Assert.Equal(17u, peerAttributes.Single(a => a.Type == RtNetlink.IFLA_NET_NS_FD).AsUInt32());
        Assert.Equal(mac, peerAttributes.Single(a => a.Type == RtNetlink.IFLA_ADDRESS).Value.ToArray());
    }

    [Fact]
    public void Address_request_has_prefix_local_and_broadcast()
    {
        var bytes = RtNetlinkClient.Messages.NewAddress(3, IPAddress.Parse("10.5.0.9"), 16).ToArray(1);

        Assert.Equal(RtNetlink.AF_INET, bytes[16]);
        Assert.Equal(16, bytes[17]);
        Assert.Equal(3, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(20)));
        var attributes = NetlinkAttribute.Parse(bytes.AsMemory(16 + RtNetlink.IfAddrMsgSize));
        Assert.Equal(new byte[] { 10, 5, 0, 9 }, attributes.Single(a => a.Type == RtNetlink.IFA_LOCAL).Value.ToArray());
        Assert.Equal(new byte[] { 10, 5, 255, 255 }, attributes.Single(a => a.Type == RtNetlink.IFA_BROADCAST).Value.ToArray());
    }

    [Fact]
    public void Default_route_goes_via_the_gateway_out_of_the_interface()
    {
        var bytes = RtNetlinkClient.Messages.NewDefaultRoute(2, IPAddress.Parse("10.5.0.1")).ToArray(1);

        Assert.Equal(RtNetlink.AF_INET, bytes[16]);
        Assert.Equal(0, bytes[17]); // destination length 0: the default route
        Assert.Equal(RtNetlink.RT_TABLE_MAIN, bytes[16 + 4]);
        var attributes = NetlinkAttribute.Parse(bytes.AsMemory(16 + RtNetlink.RtMsgSize));
        Assert.Equal(new byte[] { 10, 5, 0, 1 }, attributes.Single(a => a.Type == RtNetlink.RTA_GATEWAY).Value.ToArray());
        Assert.Equal(2u, attributes.Single(a => a.Type == RtNetlink.RTA_OIF).AsUInt32());
    }

    [Fact]
    public void Hairpin_is_a_bridge_port_setting()
    {
        var bytes = RtNetlinkClient.Messages.SetHairpin(9).ToArray(1);

        Assert.Equal(RtNetlink.RTM_SETLINK, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(RtNetlink.AF_BRIDGE, bytes[16]);
        var protinfo = NetlinkAttribute.Parse(bytes.AsMemory(32)).Single(a => a.Type == RtNetlink.IFLA_PROTINFO);
        var mode = NetlinkAttribute.Parse(protinfo.Value).Single();
        Assert.Equal(RtNetlink.IFLA_BRPORT_MODE, mode.Type);
        Assert.Equal(1, mode.Value.Span[0]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a-name-longer-than-15")]
    [InlineData("has space")]
    [InlineData("a/b")]
    public void Bad_interface_names_are_refused(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => RtNetlinkClient.Messages.GetLink(name));
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }
}
