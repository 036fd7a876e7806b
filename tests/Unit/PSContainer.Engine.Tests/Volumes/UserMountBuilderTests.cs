using PSContainer.Api;
using PSContainer.Engine.Daemon.Spec;
using PSContainer.Engine.Daemon.Volumes;
using PSContainer.Engine.Errors;
using Xunit;
using ApiMount = PSContainer.Api.Mount;

namespace PSContainer.Engine.Tests.Volumes;

public sealed class UserMountBuilderTests
{
    [Fact]
    public void MountPointsBecomeOciMounts()
    {
        var mounts = UserMountBuilder.ToOci(
        [
            new MountPointRecord { Type = "bind", Source = "/srv", Destination = "/a", RW = false, Propagation = "rslave" },
            new MountPointRecord { Type = "bind", Source = "/srv", Destination = "/b", NonRecursive = true, Propagation = "rprivate" },
            new MountPointRecord { Type = "volume", Name = "v1", Destination = "/c" },
            new MountPointRecord { Type = "tmpfs", Destination = "/d", TmpfsOptions = ["size=1m", "exec"] },
        ], p => p.Type == "volume" ? "/volumes/" + p.Name + "/_data" : p.Source);

        Assert.Equal(("bind", "/srv"), (mounts[0].Type, mounts[0].Source));
        Assert.Equal(["rbind", "rslave", "ro"], mounts[0].Options);
        Assert.Equal(["bind", "rprivate"], mounts[1].Options);
        Assert.Equal(("bind", "/volumes/v1/_data"), (mounts[2].Type, mounts[2].Source));
        Assert.Equal(["rbind", "rprivate"], mounts[2].Options);
        // Docker's defaults first, so the user's "exec" wins when the runtime applies them in order.
        Assert.Equal(("tmpfs", "tmpfs"), (mounts[3].Type, mounts[3].Source));
        Assert.Equal(["nosuid", "nodev", "noexec", "size=1m", "exec"], mounts[3].Options);
    }

    [Fact]
    public void SpecsBuiltFromAHostConfigAloneResolveNamedVolumesButNotAnonymousOnes()
    {
        var host = new HostConfig
        {
            Binds = ["cache:/cache:ro"],
            Mounts = [new ApiMount { Type = "bind", Source = "/srv", Target = "/srv" }],
            Tmpfs = new Dictionary<string, string> { ["/run"] = "size=1m" },
        };
        var mounts = UserMountBuilder.FromHostConfig(host, name => "/v/" + name);
        Assert.Equal(["/cache", "/srv", "/run"], mounts.Select(m => m.Destination));
        Assert.Equal("/v/cache", mounts[0].Source);
        Assert.Contains("ro", mounts[0].Options!);

        var anonymous = Assert.Throws<EngineException>(() => UserMountBuilder.FromHostConfig(new HostConfig { Binds = ["/data"] }, name => name));
        Assert.Contains("an anonymous volume cannot be used here", anonymous.Message, StringComparison.Ordinal);
        Assert.Throws<EngineException>(() => UserMountBuilder.FromHostConfig(host, null));
    }
}
