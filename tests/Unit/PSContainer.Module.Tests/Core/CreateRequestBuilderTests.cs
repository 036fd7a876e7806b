using System.Collections;
using PSContainer.Module.Core;
using Xunit;

namespace PSContainer.Module.Tests.Core;

public class CreateRequestBuilderTests
{
    [Fact]
    public void Friendly_Options_Become_The_Docker_Request()
    {
        var request = ContainerCreateRequestBuilder.Build(new ContainerCreateOptions
        {
            Image = "busybox",
            Name = "web",
            Command = ["httpd", "-f", "-p", "80"],
            Environment = [new Hashtable { ["MODE"] = "prod" }],
            Ports = ["8080:80"],
            Volumes = ["site:/www:ro", "/cache"],
            Mounts = ["type=tmpfs,target=/tmp"],
            Labels = ["app=web"],
            Memory = 256L << 20,
            Cpu = 1.5,
            Restart = "on-failure:3",
            WorkingDirectory = "/www",
            User = "nobody",
            Network = "blue",
            Init = true,
            PidsLimit = 100,
        }, _ => null);

        Assert.Equal("busybox", request.Image);
        Assert.Equal(["httpd", "-f", "-p", "80"], request.Cmd);
        Assert.Equal(["MODE=prod"], request.Env);
        Assert.Equal("web", request.Labels!["app"]);
        Assert.True(request.Volumes!.ContainsKey("/cache"));
        var host = request.HostConfig!;
        Assert.Equal(["site:/www:ro"], host.Binds);
        Assert.Equal("tmpfs", Assert.Single(host.Mounts!).Type);
        Assert.Equal(256L << 20, host.Memory);
        Assert.Equal(1_500_000_000, host.NanoCpus);
        Assert.Equal(("on-failure", 3), (host.RestartPolicy!.Name, host.RestartPolicy.MaximumRetryCount));
        Assert.Equal("blue", host.NetworkMode);
        Assert.True(host.Init);
        Assert.Equal(100, host.PidsLimit);
        Assert.Equal("8080", host.PortBindings!["80/tcp"]![0].HostPort);
        Assert.False(request.OpenStdin);
    }

    [Fact]
    public void Unset_Options_Stay_Out_Of_The_Request()
    {
        var request = ContainerCreateRequestBuilder.Build(new ContainerCreateOptions { Image = "busybox" }, _ => null);
        Assert.Null(request.Cmd);
        Assert.Null(request.Env);
        Assert.Null(request.ExposedPorts);
        Assert.Null(request.HostConfig!.PortBindings);
        Assert.Null(request.HostConfig.RestartPolicy);
        Assert.Equal(0, request.HostConfig.NanoCpus);
    }

    [Fact]
    public void Interactive_Keeps_Stdin_Open_Once()
    {
        var request = ContainerCreateRequestBuilder.Build(new ContainerCreateOptions { Image = "busybox", Interactive = true, Tty = true }, _ => null);
        Assert.True(request.OpenStdin && request.StdinOnce && request.AttachStdin && request.Tty);
    }

    [Theory]
    [InlineData("", null, 0L, null, "An image is required")]
    [InlineData("busybox", "-bad", 0L, null, "Container name '-bad' is not valid")]
    [InlineData("busybox", null, 1024L, null, "too small")]
    [InlineData("busybox", null, 0L, "always", "-Remove cannot be combined with a restart policy")]
    public void Contradictions_And_Bad_Values_Are_Refused_Before_Anything_Is_Sent(string image, string? name, long memory, string? restart, string why)
    {
        var options = new ContainerCreateOptions { Image = image, Name = name, Memory = memory, Restart = restart, AutoRemove = restart is not null };
        Assert.Contains(why, Assert.Throws<ArgumentException>(() => ContainerCreateRequestBuilder.Build(options, _ => null)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exec_Options_Become_The_Exec_Request()
    {
        var request = new ExecOptions { Command = ["ls", "-l"], User = "1000", WorkingDirectory = "/tmp", Environment = ["A=1"], Tty = true }.ToRequest(_ => null);
        Assert.Equal(["ls", "-l"], request.Cmd);
        Assert.Equal(("1000", "/tmp", true, false), (request.User, request.WorkingDir, request.Tty, request.AttachStdin));
        Assert.Equal(["A=1"], request.Env);
        Assert.Null(request.DetachKeys);
        Assert.Equal("ctrl-a,d", new ExecOptions { Command = ["sh"], DetachKeys = "ctrl-a,d" }.ToRequest(_ => null).DetachKeys);
        Assert.Throws<ArgumentException>(() => new ExecOptions { Command = [] }.ToRequest(_ => null));
        Assert.Throws<ArgumentException>(() => new ExecOptions { Command = ["ls"], WorkingDirectory = "tmp" }.ToRequest(_ => null));
    }

    [Fact]
    public void Network_Requests_Check_Subnet_And_Gateway()
    {
        var request = NetworkRequests.Create("blue", "bridge", "172.30.0.0/16", "172.30.0.1", false, false, [], ["team=a"]);
        Assert.Equal("172.30.0.1", request.IPAM!.Config![0].Gateway);
        Assert.Equal("a", request.Labels!["team"]);
        Assert.Contains("not inside", Assert.Throws<ArgumentException>(() => NetworkRequests.Create("b", "bridge", "10.0.0.0/24", "10.0.1.1", false, false, [], [])).Message, StringComparison.Ordinal);
        Assert.Contains("needs -Subnet", Assert.Throws<ArgumentException>(() => NetworkRequests.Create("b", "bridge", null, "10.0.1.1", false, false, [], [])).Message, StringComparison.Ordinal);
        Assert.Contains("CIDR", Assert.Throws<ArgumentException>(() => NetworkRequests.Create("b", "bridge", "10.0.0.0/99", null, false, false, [], [])).Message, StringComparison.Ordinal);
    }
}
