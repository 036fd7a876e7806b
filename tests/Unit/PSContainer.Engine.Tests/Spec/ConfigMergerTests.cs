using PSContainer.Api;
using PSContainer.Engine.Daemon.Spec;
using PSContainer.Engine.Errors;
using PSContainer.Oci;
using Xunit;

namespace PSContainer.Engine.Tests.Spec;

public sealed class ConfigMergerTests
{
    private static readonly ImageRuntimeConfig Busybox = new()
    {
        Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"],
        Cmd = ["sh"],
        WorkingDir = "/",
        Labels = new Dictionary<string, string> { ["from"] = "image" },
    };

    [Fact]
    public void RequestCmdReplacesImageCmd()
    {
        var config = ConfigMerger.Merge(new ContainerCreateRequest { Image = "busybox", Cmd = ["echo", "hi"] }, Busybox, "busybox");
        var (path, args) = ConfigMerger.Command(config);
        Assert.Equal("echo", path);
        Assert.Equal(["hi"], args);
    }

    [Fact]
    public void ImageCmdIsUsedWhenTheRequestHasNone()
    {
        var config = ConfigMerger.Merge(new ContainerCreateRequest { Image = "busybox" }, Busybox, "busybox");
        Assert.Equal("sh", ConfigMerger.Command(config).Path);
    }

    [Fact]
    public void EntrypointInTheRequestDropsTheImageCmd()
    {
        var config = ConfigMerger.Merge(new ContainerCreateRequest { Image = "busybox", Entrypoint = ["/bin/echo"] }, Busybox, "busybox");
        var (path, args) = ConfigMerger.Command(config);
        Assert.Equal("/bin/echo", path);
        Assert.Empty(args);
    }

    [Fact]
    public void EmptyEntrypointMeansNone()
    {
        var image = new ImageRuntimeConfig { Entrypoint = ["/entry"], Cmd = ["x"] };
        var config = ConfigMerger.Merge(new ContainerCreateRequest { Image = "i", Entrypoint = [""], Cmd = ["ls"] }, image, "i");
        Assert.Null(config.Entrypoint);
        Assert.Equal("ls", ConfigMerger.Command(config).Path);
    }

    [Fact]
    public void NoCommandAtAllIsABadParameter()
    {
        var config = ConfigMerger.Merge(new ContainerCreateRequest { Image = "scratch" }, new ImageRuntimeConfig(), "scratch");
        var error = Assert.Throws<EngineException>(() => ConfigMerger.Command(config));
        Assert.Equal(EngineErrorKind.InvalidParameter, error.Kind);
        Assert.Equal("No command specified", error.Message);
    }

    [Fact]
    public void EnvAndLabelsMergeByKeyWithTheRequestWinning()
    {
        var config = ConfigMerger.Merge(new ContainerCreateRequest
        {
            Image = "busybox",
            Env = ["LANG=en_US.UTF-8", "EXTRA=1"],
            Labels = new Dictionary<string, string> { ["from"] = "request", ["own"] = "yes" },
            User = "nobody",
            WorkingDir = "/tmp",
        }, Busybox, "busybox");
        Assert.Equal(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=en_US.UTF-8", "EXTRA=1"], config.Env);
        Assert.Equal("request", config.Labels!["from"]);
        Assert.Equal("yes", config.Labels["own"]);
        Assert.Equal("nobody", config.User);
        Assert.Equal("/tmp", config.WorkingDir);
    }
}
