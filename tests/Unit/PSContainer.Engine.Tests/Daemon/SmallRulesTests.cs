using System.Text.Json;
using PSContainer.Api;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Daemon;
using PSContainer.Engine.Daemon.Containers;
using PSContainer.Engine.Daemon.Spec;
using PSContainer.Engine.Errors;
using PSContainer.ShimApi;
using Xunit;

namespace PSContainer.Engine.Tests.Daemon;

public sealed class ContainerNamesTests
{
    [Theory]
    [InlineData("web", "web")]
    [InlineData("/web", "web")]
    [InlineData("a.b-c_d", "a.b-c_d")]
    public void ValidNamesAreNormalized(string name, string expected) => Assert.Equal(expected, ContainerNames.Normalize(name));

    [Theory]
    [InlineData("a")]
    [InlineData("-web")]
    [InlineData("we/b")]
    [InlineData("web!")]
    public void InvalidNamesAreBadParameters(string name) =>
        Assert.Equal(EngineErrorKind.InvalidParameter, Assert.Throws<EngineException>(() => ContainerNames.Normalize(name)).Kind);

    [Fact]
    public void IdsAre64HexDigitsAndGeneratedNamesAvoidTakenOnes()
    {
        var id = ContainerNames.NewId();
        Assert.True(ContainerNames.IsFullId(id));
        var taken = new HashSet<string>();
        for (var i = 0; i < 50; i++)
        {
            var name = ContainerNames.Generate(taken.Contains);
            Assert.Matches("^[a-z]+_[a-z]+[0-9]*$", name);
            Assert.True(taken.Add(name));
        }
    }
}

public sealed class SignalsTests
{
    [Theory]
    [InlineData("SIGTERM", 15)]
    [InlineData("term", 15)]
    [InlineData("9", 9)]
    [InlineData("KILL", 9)]
    [InlineData("SIGRTMIN+1", 35)]
    [InlineData(null, 9)]
    public void Parses(string? value, int expected) => Assert.Equal(expected, Signals.Parse(value));

    [Theory]
    [InlineData("SIGNOPE")]
    [InlineData("0")]
    [InlineData("65")]
    public void RejectsUnknown(string value) => Assert.Throws<EngineException>(() => Signals.Parse(value));
}

public sealed class ErrorMappingTests
{
    [Theory]
    [InlineData(EngineErrorKind.NotFound, 404)]
    [InlineData(EngineErrorKind.Conflict, 409)]
    [InlineData(EngineErrorKind.InvalidParameter, 400)]
    [InlineData(EngineErrorKind.NotModified, 304)]
    [InlineData(EngineErrorKind.Internal, 500)]
    [InlineData(EngineErrorKind.NotImplemented, 501)]
    public void KindsMapToDockerStatusCodes(EngineErrorKind kind, int status) => Assert.Equal(status, ErrorMapping.StatusCode(kind));

    [Fact]
    public void ForeignExceptionsAreClassified()
    {
        Assert.Equal(EngineErrorKind.NotFound, ErrorMapping.Classify(CoreException.NotFound("No such image: x")).Kind);
        Assert.Equal(EngineErrorKind.Conflict, ErrorMapping.Classify(CoreException.AlreadyExists("exists")).Kind);
        Assert.Equal(EngineErrorKind.InvalidParameter, ErrorMapping.Classify(new ShimException(new ShimError(ShimErrorCode.InvalidArgument, "bad"))).Kind);
        Assert.Equal(EngineErrorKind.Internal, ErrorMapping.Classify(new InvalidOperationException("boom")).Kind);
        Assert.Equal("No such image: x", ErrorMapping.Classify(CoreException.NotFound("No such image: x")).Message);
    }
}

public sealed class ApiJsonTests
{
    [Fact]
    public void WireNamesAreDockers()
    {
        Assert.Equal("{\"message\":\"No such container: x\"}",
            JsonSerializer.Serialize(new ErrorResponse { Message = "No such container: x" }, ApiJsonContext.Default.ErrorResponse));
        var exec = JsonSerializer.Serialize(new ExecInspect { ID = "e", ContainerID = "c", ProcessConfig = new ExecProcessConfig { Entrypoint = "sh" } }, ApiJsonContext.Default.ExecInspect);
        Assert.Contains("\"ID\":\"e\"", exec, StringComparison.Ordinal);
        Assert.Contains("\"entrypoint\":\"sh\"", exec, StringComparison.Ordinal);
        var stats = JsonSerializer.Serialize(new ContainerStats(), ApiJsonContext.Default.ContainerStats);
        Assert.Contains("\"memory_stats\"", stats, StringComparison.Ordinal);
        Assert.Contains("\"cpu_usage\"", stats, StringComparison.Ordinal);
    }

    [Fact]
    public void NullsAreOmittedAndReadsAreTolerant()
    {
        var json = JsonSerializer.Serialize(new ContainerCreateResponse { Id = "x" }, ApiJsonContext.Default.ContainerCreateResponse);
        Assert.Equal("{\"Id\":\"x\",\"Warnings\":[]}", json);
        var request = JsonSerializer.Deserialize("{\"image\":\"busybox\",\"Cmd\":[\"true\"],\"Unknown\":1,\"HostConfig\":{\"Memory\":\"1048576\"}}",
            ApiJsonContext.Default.ContainerCreateRequest)!;
        Assert.Equal("busybox", request.Image);
        Assert.Equal(1048576, request.HostConfig!.Memory);
    }

    [Fact]
    public void InspectJsonHasDockersShape()
    {
        var inspect = new ContainerInspect { Id = "abc", Name = "/n", State = new ContainerState { Status = "running", Running = true, OOMKilled = false } };
        var json = JsonSerializer.Serialize(inspect, ApiJsonContext.Default.ContainerInspect);
        using var doc = JsonDocument.Parse(json);
        Assert.True(doc.RootElement.GetProperty("State").GetProperty("Running").GetBoolean());
        Assert.False(doc.RootElement.GetProperty("State").TryGetProperty("Health", out _));
        Assert.Equal("0001-01-01T00:00:00Z", doc.RootElement.GetProperty("State").GetProperty("StartedAt").GetString());
    }
}

public sealed class UserResolverTests : IDisposable
{
    private readonly string _rootfs = Directory.CreateTempSubdirectory("psc-rootfs-").FullName;

    public UserResolverTests()
    {
        Directory.CreateDirectory(Path.Combine(_rootfs, "etc"));
        File.WriteAllText(Path.Combine(_rootfs, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33:www:/var/www:/bin/false\n");
        File.WriteAllText(Path.Combine(_rootfs, "etc", "group"), "root:x:0:\nwww:x:33:\nstaff:x:50:www\nvideo:x:44:other\n");
    }

    public void Dispose() => Directory.Delete(_rootfs, recursive: true);

    [Fact]
    public void EmptyIsRoot()
    {
        var user = UserResolver.Resolve("", _rootfs);
        Assert.Equal((0u, 0u, "/root"), (user.Uid, user.Gid, user.Home));
    }

    [Fact]
    public void NamesResolveWithSupplementaryGroups()
    {
        var user = UserResolver.Resolve("www", _rootfs);
        Assert.Equal((33u, 33u), (user.Uid, user.Gid));
        Assert.Equal([50u], user.AdditionalGids);
        Assert.Equal("/var/www", user.Home);
    }

    [Fact]
    public void NumericIdsNeedNoEntryAndGroupsResolveByName()
    {
        var user = UserResolver.Resolve("1234:video", _rootfs, ["staff"]);
        Assert.Equal((1234u, 44u), (user.Uid, user.Gid));
        Assert.Equal([50u], user.AdditionalGids);
    }

    [Theory]
    [InlineData("nobody-here")]
    [InlineData("www:nogroup")]
    public void UnknownNamesAreBadParameters(string spec) =>
        Assert.Equal(EngineErrorKind.InvalidParameter, Assert.Throws<EngineException>(() => UserResolver.Resolve(spec, _rootfs)).Kind);
}

public sealed class EngineOptionsTests
{
    [Fact]
    public void DefaultsAreTheEmbeddedPaths()
    {
        var options = EngineOptions.Parse([]);
        Assert.Equal("/var/lib/pscontainer", options.DataRoot);
        Assert.Equal("/run/pscontainer", options.ExecRoot);
        Assert.Equal("/run/pscontainer/engine.sock", options.SocketPath);
    }

    [Fact]
    public void FlagsOverrideTheConfigFile()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "{\"data-root\": \"/srv/data\", \"exec-root\": \"/srv/run\", \"debug\": true}");
            var options = EngineOptions.Parse(["--config", file, "--exec-root=/other", "--host", "unix:///tmp/x.sock"]);
            Assert.Equal("/srv/data", options.DataRoot);
            Assert.Equal("/other", options.ExecRoot);
            Assert.True(options.Debug);
            Assert.Equal("/tmp/x.sock", options.SocketPath);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--data-root")]
    public void BadFlagsAreArgumentErrors(string flag) => Assert.Throws<ArgumentException>(() => EngineOptions.Parse([flag]));

    [Fact]
    public void TcpHostsAreRefused() =>
        Assert.Throws<ArgumentException>(() => EngineOptions.Parse(["-H", "tcp://0.0.0.0:2375"]).SocketPath);

    [Theory]
    [InlineData("10m", 10L * 1024 * 1024)]
    [InlineData("1g", 1024L * 1024 * 1024)]
    [InlineData("512k", 512L * 1024)]
    [InlineData("100", 100L)]
    public void LogSizesParse(string text, long bytes) => Assert.Equal(bytes, ContainerService.ParseSize(text));
}
