using System.Text.Json;
using PSContainer.Engine.Daemon.Containers;
using PSContainer.Engine.Daemon.Images;
using PSContainer.Engine.Errors;
using PSContainer.Oci;
using Xunit;

namespace PSContainer.Engine.Tests.Daemon;

public sealed class StatsConverterTests
{
    [Fact]
    public void RuntimeStatsBecomeDockerStats()
    {
        using var data = JsonDocument.Parse("""
            {"cpu":{"usage":{"total":500,"percpu":[200,300],"kernel":100,"user":400},"throttling":{"periods":3,"throttledPeriods":1,"throttledTime":9}},
             "memory":{"usage":{"limit":9223372036854771712,"usage":4096,"max":8192,"failcnt":0},"raw":{"cache":12,"rss":34}},
             "pids":{"current":2,"limit":0},
             "blkio":{"ioServiceBytesRecursive":[{"major":8,"minor":0,"op":"Read","value":77}]}}
            """);
        var previous = new PSContainer.Api.ContainerStats { Read = "2026-01-01T00:00:00Z" };
        previous.CpuStats.CpuUsage.TotalUsage = 100;
        var stats = StatsConverter.Convert(data.RootElement, "id", "name", DateTimeOffset.UnixEpoch, previous, hostMemory: 1 << 30);
        Assert.Equal("/name", stats.Name);
        Assert.Equal(500UL, stats.CpuStats.CpuUsage.TotalUsage);
        Assert.Equal([200UL, 300UL], stats.CpuStats.CpuUsage.PercpuUsage);
        Assert.Equal(100UL, stats.PreCpuStats.CpuUsage.TotalUsage);
        Assert.Equal("2026-01-01T00:00:00Z", stats.PreRead);
        Assert.Equal(1UL, stats.CpuStats.ThrottlingData.ThrottledPeriods);
        Assert.Equal(4096UL, stats.MemoryStats.Usage);
        Assert.Equal(1UL << 30, stats.MemoryStats.Limit); // "unlimited" reported as the host's memory
        Assert.Equal(34UL, stats.MemoryStats.Stats!["rss"]);
        Assert.Equal(2UL, stats.PidsStats.Current);
        Assert.Null(stats.PidsStats.Limit);
        Assert.Equal(77UL, stats.BlkioStats.IoServiceBytesRecursive!.Single().Value);
        Assert.True(stats.CpuStats.SystemCpuUsage > 0);
    }

    [Fact]
    public void MissingSectionsGiveZeros()
    {
        using var data = JsonDocument.Parse("{}");
        var stats = StatsConverter.Convert(data.RootElement, "id", "n", DateTimeOffset.UnixEpoch, null, 1024);
        Assert.Equal(0UL, stats.CpuStats.CpuUsage.TotalUsage);
        Assert.Equal(0UL, stats.MemoryStats.Usage);
    }
}

public sealed class ImportChangesTests
{
    [Fact]
    public void DockerfileInstructionsApply()
    {
        var config = new ImageRuntimeConfig();
        ImportChanges.Apply(config, "CMD [\"/bin/echo\", \"hi\"]");
        ImportChanges.Apply(config, "ENTRYPOINT run me");
        ImportChanges.Apply(config, "ENV A=1");
        ImportChanges.Apply(config, "ENV B 2");
        ImportChanges.Apply(config, "WORKDIR /srv");
        ImportChanges.Apply(config, "USER nobody");
        ImportChanges.Apply(config, "LABEL team=core");
        ImportChanges.Apply(config, "EXPOSE 80 53/udp");
        Assert.Equal(["/bin/echo", "hi"], config.Cmd);
        Assert.Equal(["/bin/sh", "-c", "run me"], config.Entrypoint);
        Assert.Equal(["A=1", "B=2"], config.Env);
        Assert.Equal("/srv", config.WorkingDir);
        Assert.Equal("nobody", config.User);
        Assert.Equal("core", config.Labels!["team"]);
        Assert.Equal(["80/tcp", "53/udp"], config.ExposedPorts!.Keys);
    }

    [Theory]
    [InlineData("RUN make")]
    [InlineData("CMD")]
    [InlineData("CMD [not json")]
    public void UnsupportedOrMalformedChangesAreBadParameters(string change) =>
        Assert.Equal(EngineErrorKind.InvalidParameter, Assert.Throws<EngineException>(() => ImportChanges.Apply(new ImageRuntimeConfig(), change)).Kind);
}
