using System.Collections;
using PSContainer.Module.Core;
using Xunit;

namespace PSContainer.Module.Tests.Core;

public class ParameterParsingTests
{
    private static (Dictionary<string, Api.EmptyObject> Exposed, Dictionary<string, List<Api.PortBinding>?> Bindings) Ports(params object[] values)
    {
        var exposed = new Dictionary<string, Api.EmptyObject>();
        var bindings = new Dictionary<string, List<Api.PortBinding>?>();
        foreach (var spec in PortSpec.ParseAll(values))
        {
            spec.AddTo(exposed, bindings);
        }
        return (exposed, bindings);
    }

    [Fact]
    public void Ports_In_Every_Docker_Form()
    {
        var (exposed, bindings) = Ports("8080:80", "127.0.0.1:5353:53/udp", "[::1]:8443:443", "127.0.0.1::9000", 6379);
        Assert.Equal(["443/tcp", "53/udp", "6379/tcp", "80/tcp", "9000/tcp"], exposed.Keys.Order());
        Assert.Equal(("", "8080"), (bindings["80/tcp"]![0].HostIp, bindings["80/tcp"]![0].HostPort));
        Assert.Equal(("127.0.0.1", "5353"), (bindings["53/udp"]![0].HostIp, bindings["53/udp"]![0].HostPort));
        Assert.Equal(("::1", "8443"), (bindings["443/tcp"]![0].HostIp, bindings["443/tcp"]![0].HostPort));
        Assert.Equal(("127.0.0.1", ""), (bindings["9000/tcp"]![0].HostIp, bindings["9000/tcp"]![0].HostPort));
        Assert.Equal("", bindings["6379/tcp"]![0].HostPort);
    }

    [Fact]
    public void Port_Ranges_Pair_Up_And_A_Host_Range_For_One_Port_Means_Any_Of_Them()
    {
        var (exposed, bindings) = Ports("8000-8002:80-82", "9000-9010:90");
        Assert.Equal("8001", bindings["81/tcp"]![0].HostPort);
        Assert.Equal("8002", bindings["82/tcp"]![0].HostPort);
        Assert.Equal("9000-9010", bindings["90/tcp"]![0].HostPort);
        Assert.Equal(4, exposed.Count);
    }

    [Fact]
    public void Port_Hashtables_Map_Host_To_Container()
    {
        var (_, bindings) = Ports(new Hashtable { [8080] = 80, ["127.0.0.1:5353"] = "53/udp" });
        Assert.Equal("8080", bindings["80/tcp"]![0].HostPort);
        Assert.Equal("127.0.0.1", bindings["53/udp"]![0].HostIp);
    }

    [Theory]
    [InlineData("8080:80/icmp", "protocol 'icmp'")]
    [InlineData("70000:80", "between 1 and 65535")]
    [InlineData("web:80", "'web' is not a number")]
    [InlineData("1.2.3.999:80:80", "not an IP address")]
    [InlineData("8000-8001:80-82", "host range has 2 ports and the container range 3")]
    [InlineData("82-80", "ends before it starts")]
    [InlineData("1:2:3:4", "use containerPort")]
    public void Bad_Ports_Are_Refused_Saying_Why(string text, string why)
    {
        var error = Assert.Throws<ArgumentException>(() => PortSpec.Parse(text));
        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_From_Hashtables_Strings_And_The_Callers_Environment()
    {
        var env = KeyValueParser.ParseEnvironment(
            [new Hashtable { ["A"] = 1 }, "B=two=2", "C=", "HOME", "UNSET"],
            name => name == "HOME" ? "/root" : null);
        Assert.Equal(["A=1", "B=two=2", "C=", "HOME=/root"], env);
    }

    [Theory]
    [InlineData("=x")]
    [InlineData("A B=1")]
    public void Bad_Environment_Names_Are_Refused(string text) =>
        Assert.Throws<ArgumentException>(() => KeyValueParser.ParseEnvironment([text], _ => null));

    [Fact]
    public void Labels_Later_Values_Win_And_Bare_Keys_Are_Empty()
    {
        var labels = KeyValueParser.ParseLabels(["app=web", "tier", new Hashtable { ["app"] = "api" }]);
        Assert.Equal("api", labels["app"]);
        Assert.Equal("", labels["tier"]);
    }

    [Theory]
    [InlineData("data:/data", "data:/data", null)]
    [InlineData("data:/data:ro", "data:/data:ro", null)]
    [InlineData("/srv/www:/usr/share/www:ro,z", "/srv/www:/usr/share/www:ro,z", null)]
    [InlineData("/cache", null, "/cache")]
    public void Volumes_Become_Binds_Or_Anonymous_Volumes(string text, string? bind, string? anonymous) =>
        Assert.Equal((bind, anonymous), VolumeSpec.Parse(text));

    [Theory]
    [InlineData("data:relative", "must be absolute")]
    [InlineData("data:/data:rx", "unknown option 'rx'")]
    [InlineData("da ta:/data", "neither an absolute host path nor a volume name")]
    [InlineData(":/data", "empty source")]
    [InlineData("a:/b:ro:x", "not valid")]
    public void Bad_Volumes_Are_Refused(string text, string why) =>
        Assert.Contains(why, Assert.Throws<ArgumentException>(() => VolumeSpec.Parse(text)).Message, StringComparison.Ordinal);

    [Fact]
    public void Mounts_From_Docker_Text_And_Hashtables()
    {
        var volume = MountSpec.Parse("type=volume,source=data,target=/data,readonly");
        Assert.Equal(("volume", "data", "/data", true), (volume.Type, volume.Source, volume.Target, volume.ReadOnly));
        var tmpfs = MountSpec.Parse(new Hashtable { ["Type"] = "tmpfs", ["Target"] = "/tmp", ["Size"] = 64L * 1024 * 1024, ["Mode"] = "1777" });
        Assert.Equal(64L * 1024 * 1024, tmpfs.TmpfsOptions!.SizeBytes);
        Assert.Equal(Convert.ToUInt32("1777", 8), tmpfs.TmpfsOptions.Mode);
        var bind = MountSpec.Parse("type=bind,src=/srv,dst=/srv,bind-propagation=rslave");
        Assert.Equal("rslave", bind.BindOptions!.Propagation);
    }

    [Theory]
    [InlineData("type=nfs,target=/x", "not volume, bind or tmpfs")]
    [InlineData("type=volume,source=data", "absolute target")]
    [InlineData("type=bind,source=relative,target=/x", "absolute source")]
    [InlineData("type=tmpfs,source=x,target=/x", "takes no source")]
    [InlineData("type=volume,target=/x,colour=red", "unknown key 'colour'")]
    [InlineData("type=volume,target=/x,readonly=maybe", "not true or false")]
    public void Bad_Mounts_Are_Refused(string text, string why) =>
        Assert.Contains(why, Assert.Throws<ArgumentException>(() => MountSpec.Parse(text)).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("256m", 256L << 20)]
    [InlineData("1g", 1L << 30)]
    [InlineData("1.5GB", 3L << 29)]
    [InlineData("512k", 512L << 10)]
    [InlineData("1024", 1024L)]
    [InlineData("100b", 100L)]
    public void Sizes_In_Docker_Form(string text, long bytes) => Assert.Equal(bytes, SizeParser.Parse(text, "Size"));

    [Theory]
    [InlineData("12x")]
    [InlineData("-1m")]
    [InlineData("")]
    public void Bad_Sizes_Are_Refused(string text) => Assert.Throws<ArgumentException>(() => SizeParser.Parse(text, "Size"));

    [Fact]
    public void Cpu_Becomes_Nano_Cpus()
    {
        Assert.Equal(1_500_000_000, CpuParser.ToNanoCpus(1.5));
        Assert.Equal(10_000_000, CpuParser.ToNanoCpus(0.01));
        Assert.Throws<ArgumentException>(() => CpuParser.ToNanoCpus(0));
        Assert.Throws<ArgumentException>(() => CpuParser.ToNanoCpus(double.NaN));
    }

    [Theory]
    [InlineData("always", "always", 0)]
    [InlineData("On-Failure:3", "on-failure", 3)]
    [InlineData("unless-stopped", "unless-stopped", 0)]
    [InlineData("no", "no", 0)]
    public void Restart_Policies(string text, string name, int retries)
    {
        var policy = RestartPolicyParser.Parse(text);
        Assert.Equal((name, retries), (policy.Name, policy.MaximumRetryCount));
    }

    [Theory]
    [InlineData("sometimes")]
    [InlineData("always:3")]
    [InlineData("on-failure:0")]
    [InlineData("on-failure:x")]
    public void Bad_Restart_Policies_Are_Refused(string text) =>
        Assert.Contains(text, Assert.Throws<ArgumentException>(() => RestartPolicyParser.Parse(text)).Message, StringComparison.Ordinal);
}
