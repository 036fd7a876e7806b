using PSContainer.Api;
using PSContainer.Engine.Daemon.Spec;
using PSContainer.Engine.Errors;
using Xunit;
using ApiMount = PSContainer.Api.Mount;

namespace PSContainer.Engine.Tests.Volumes;

public sealed class MountSpecParserTests
{
    [Theory]
    [InlineData("/data", MountKind.Volume, null, "/data", false, "", "")]
    [InlineData("name:/data", MountKind.Volume, "name", "/data", false, "", "")]
    [InlineData("name:/data:ro", MountKind.Volume, "name", "/data", true, "ro", "")]
    [InlineData("name:/data:nocopy", MountKind.Volume, "name", "/data", false, "nocopy", "")]
    [InlineData("name:/data:rw,z", MountKind.Volume, "name", "/data", false, "rw,z", "")]
    [InlineData("/host:/data", MountKind.Bind, "/host", "/data", false, "", "rprivate")]
    [InlineData("/host/:/data:ro", MountKind.Bind, "/host", "/data", true, "ro", "rprivate")]
    [InlineData("/host:/data:rw,rshared", MountKind.Bind, "/host", "/data", false, "rw,rshared", "rshared")]
    [InlineData("/host:/data:ro,slave", MountKind.Bind, "/host", "/data", true, "ro,slave", "slave")]
    public void VolumeFlagForms(string spec, MountKind kind, string? source, string destination, bool readOnly, string mode, string propagation)
    {
        var request = MountSpecParser.ParseBind(spec);
        Assert.Equal(kind, request.Kind);
        Assert.Equal(source, request.Source);
        Assert.Equal(destination, request.Destination);
        Assert.Equal(readOnly, request.ReadOnly);
        Assert.Equal(mode, request.Mode);
        Assert.Equal(propagation, request.Propagation);
        Assert.Equal(kind == MountKind.Bind, request.CreateHostPath); // -v creates a missing host directory
        Assert.Equal(spec.EndsWith("nocopy", StringComparison.Ordinal), request.NoCopy);
        Assert.Equal(MountOrigin.Binds, request.Origin);
    }

    [Theory]
    [InlineData("", "invalid volume specification: ''")]
    [InlineData("/a:/b:/c:ro", "invalid volume specification")]
    [InlineData("/foo:rw", "invalid volume specification: '/foo:rw'")]
    [InlineData(":/data", "invalid volume specification")]
    [InlineData("/src:relative", "mount path must be absolute")]
    [InlineData("relative", "mount path must be absolute")]
    [InlineData("/src:/", "destination can't be '/'")]
    [InlineData("/a:/b:bogus", "invalid mode: bogus")]
    [InlineData("/a:/b:ro,rw", "invalid mode: ro,rw")]
    [InlineData("/a:/b:shared,slave", "invalid mode")]
    [InlineData("/a:/b:nocopy", "nocopy applies to volumes only")]
    [InlineData("vol:/b:rshared", "propagation applies to bind mounts only")]
    [InlineData("./rel:/data", "includes invalid characters for a local volume name")]
    [InlineData("a:/data", "includes invalid characters for a local volume name")]
    public void BadVolumeFlagsAreBadParameters(string spec, string message)
    {
        var error = Assert.Throws<EngineException>(() => MountSpecParser.ParseBind(spec));
        Assert.Equal(EngineErrorKind.InvalidParameter, error.Kind);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MountFlagForms()
    {
        var bind = MountSpecParser.ParseMount(new ApiMount
        {
            Type = "bind", Source = "/srv", Target = "/data", ReadOnly = true,
            BindOptions = new BindOptions { Propagation = "rslave", NonRecursive = true },
        });
        Assert.Equal((MountKind.Bind, "/srv", "/data", true, "rslave", true, false), (bind.Kind, bind.Source, bind.Destination, bind.ReadOnly, bind.Propagation, bind.NonRecursive, bind.CreateHostPath));

        var volume = MountSpecParser.ParseMount(new ApiMount
        {
            Type = "volume", Source = "cache", Target = "/cache",
            VolumeOptions = new VolumeOptions
            {
                NoCopy = true,
                Labels = new Dictionary<string, string> { ["k"] = "v" },
                DriverConfig = new VolumeDriverConfig { Name = "local", Options = new Dictionary<string, string> { ["type"] = "tmpfs" } },
            },
        });
        Assert.Equal((MountKind.Volume, "cache", true, "local"), (volume.Kind, volume.Source, volume.NoCopy, volume.VolumeDriver));
        Assert.Equal("tmpfs", volume.DriverOptions!["type"]);
        Assert.Equal("v", volume.VolumeLabels!["k"]);

        var anonymous = MountSpecParser.ParseMount(new ApiMount { Type = "volume", Target = "/anon" });
        Assert.Null(anonymous.Source);

        var tmpfs = MountSpecParser.ParseMount(new ApiMount
        {
            Type = "tmpfs", Target = "/scratch", ReadOnly = true,
            TmpfsOptions = new TmpfsOptions { SizeBytes = 8 << 20, Mode = Convert.ToUInt32("1770", 8), Options = [["exec"], ["nr_inodes", "100"]] },
        });
        Assert.Equal(["size=8388608", "mode=1770", "exec", "nr_inodes=100", "ro"], tmpfs.TmpfsOptions);
    }

    [Theory]
    [InlineData("bind", null, "/t", "field Source must not be empty")]
    [InlineData("bind", "rel", "/t", "mount path must be absolute")]
    [InlineData("bind", "/s", null, "field Target must not be empty")]
    [InlineData("bind", "/s", "t", "invalid mount path: 't' mount path must be absolute")]
    [InlineData("volume", "/abs", "/t", "is a path; use type=bind")]
    [InlineData("volume", "a", "/t", "invalid characters")]
    [InlineData("tmpfs", "src", "/t", "field Source must not be specified")]
    [InlineData("npipe", null, "/t", "mount type \"npipe\" is not supported")]
    [InlineData(null, null, "/t", "mount type must not be empty")]
    public void BadMountFlagsAreBadParameters(string? type, string? source, string? target, string message)
    {
        var error = Assert.Throws<EngineException>(() => MountSpecParser.ParseMount(new ApiMount { Type = type, Source = source, Target = target }));
        Assert.Equal(EngineErrorKind.InvalidParameter, error.Kind);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MountOptionsOfTheWrongTypeAreRefused()
    {
        Assert.Contains("field VolumeOptions must not be specified", Assert.Throws<EngineException>(() =>
            MountSpecParser.ParseMount(new ApiMount { Type = "bind", Source = "/s", Target = "/t", VolumeOptions = new VolumeOptions() })).Message, StringComparison.Ordinal);
        Assert.Contains("field BindOptions must not be specified", Assert.Throws<EngineException>(() =>
            MountSpecParser.ParseMount(new ApiMount { Type = "volume", Target = "/t", BindOptions = new BindOptions() })).Message, StringComparison.Ordinal);
        Assert.Contains("field TmpfsOptions must not be specified", Assert.Throws<EngineException>(() =>
            MountSpecParser.ParseMount(new ApiMount { Type = "volume", Target = "/t", TmpfsOptions = new TmpfsOptions() })).Message, StringComparison.Ordinal);
        Assert.Contains("invalid propagation mode: sideways", Assert.Throws<EngineException>(() =>
            MountSpecParser.ParseMount(new ApiMount { Type = "bind", Source = "/s", Target = "/t", BindOptions = new BindOptions { Propagation = "sideways" } })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TmpfsFlag()
    {
        var tmpfs = MountSpecParser.ParseTmpfs("/run", "rw,size=1m,exec");
        Assert.Equal((MountKind.Tmpfs, MountOrigin.Tmpfs, false), (tmpfs.Kind, tmpfs.Origin, tmpfs.ReadOnly));
        Assert.Equal(["rw", "size=1m", "exec"], tmpfs.TmpfsOptions);
        Assert.Empty(MountSpecParser.ParseTmpfs("/x", "").TmpfsOptions);
        Assert.Throws<EngineException>(() => MountSpecParser.ParseTmpfs("run", ""));
        Assert.Throws<EngineException>(() => MountSpecParser.ParseTmpfs("/", ""));
    }

    [Fact]
    public void DuplicateDestinationsAcrossFlagsAreRefused()
    {
        var host = new HostConfig
        {
            Binds = ["/a:/data"],
            Mounts = [new ApiMount { Type = "volume", Source = "v1", Target = "/data/" }],
        };
        Assert.Equal("Duplicate mount point: /data/", Assert.Throws<EngineException>(() => MountSpecParser.Parse(host)).Message);
        host = new HostConfig { Binds = ["/a:/x"], Tmpfs = new Dictionary<string, string> { ["/x"] = "" } };
        Assert.Contains("Duplicate mount point", Assert.Throws<EngineException>(() => MountSpecParser.Parse(host)).Message, StringComparison.Ordinal);

        var all = MountSpecParser.Parse(new HostConfig
        {
            Binds = ["/a:/one", "v1:/two"],
            Mounts = [new ApiMount { Type = "tmpfs", Target = "/three" }],
            Tmpfs = new Dictionary<string, string> { ["/four"] = "size=1m" },
        });
        Assert.Equal(["/one", "/two", "/three", "/four"], all.Select(r => r.Destination));
    }

    [Theory]
    [InlineData("/a//b/", "/a/b")]
    [InlineData("/", "/")]
    [InlineData("/a/./b", "/a/b")]
    public void PathsAreCleanedForComparison(string path, string clean) => Assert.Equal(clean, MountSpecParser.CleanPath(path));
}
