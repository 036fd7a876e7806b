using PSContainer.Module.Core;
using Xunit;

namespace PSContainer.Module.Tests.Core;

public class ConverterTests
{
    private const string Id = "4f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff";

    [Fact]
    public void Summary_Rows_Become_Typed_Containers()
    {
        var container = ContainerConverter.FromSummary(new Api.ContainerSummary
        {
            Id = Id,
            Names = ["/other/alias", "/web"],
            Image = "busybox",
            Command = "httpd -f",
            Created = 1_700_000_000,
            State = "exited",
            Status = "Exited (137) 5 seconds ago",
            Ports = [new Api.Port { PrivatePort = 80, PublicPort = 8080, IP = "0.0.0.0", Type = "tcp" }, new Api.Port { PrivatePort = 53, Type = "udp" }],
            Labels = new() { ["app"] = "web" },
        }, "unix:///e.sock");

        Assert.Equal("web", container.Name);
        Assert.Equal("4f1e2d3c4b5a", container.ShortId);
        Assert.Equal(ContainerState.Exited, container.State);
        Assert.Equal(137, container.ExitCode);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).LocalDateTime, container.Created);
        Assert.Equal("53/udp, 0.0.0.0:8080->80/tcp", HumanText.Ports(container.Ports));
        Assert.Equal("web", container.Labels["app"]);
        Assert.Equal("unix:///e.sock", container.Endpoint);
        Assert.False(container.IsDetailed);
    }

    [Fact]
    public void Inspect_Gives_Times_Pid_Restart_Policy_And_Ports_From_Settings()
    {
        var container = ContainerConverter.FromInspect(new Api.ContainerInspect
        {
            Id = Id,
            Name = "/web",
            Created = "2024-05-01T10:00:00.123456789Z",
            Path = "sh",
            Args = ["-c", "echo hi; sleep 1"],
            Image = "sha256:aa",
            State = new Api.ContainerState { Status = "running", Running = true, Pid = 4242, StartedAt = "2024-05-01T10:00:01.5Z", FinishedAt = "0001-01-01T00:00:00Z" },
            Config = new Api.ContainerConfig { Image = "busybox", Tty = true, ExposedPorts = new() { ["80/tcp"] = new(), ["443/tcp"] = new() } },
            HostConfig = new Api.HostConfig { RestartPolicy = new Api.RestartPolicy { Name = "on-failure", MaximumRetryCount = 3 } },
            NetworkSettings = new Api.NetworkSettings
            {
                Ports = new() { ["80/tcp"] = [new Api.PortBinding { HostIp = "::", HostPort = "8080" }] },
                Networks = new() { ["bridge"] = new Api.EndpointSettings() },
            },
        }, "e");

        Assert.Equal("web", container.Name);
        Assert.Equal("busybox", container.Image);
        Assert.Equal("sh -c 'echo hi; sleep 1'", container.Command);
        Assert.Equal(ContainerState.Running, container.State);
        Assert.Equal(4242, container.Pid);
        Assert.Null(container.ExitCode);
        Assert.Null(container.FinishedAt);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 0, 1, 500, TimeSpan.Zero).LocalDateTime, container.StartedAt);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero).AddTicks(1234567).LocalDateTime, container.Created);
        Assert.Equal("on-failure:3", container.RestartPolicy);
        Assert.Equal("[::]:8080->80/tcp, 443/tcp", HumanText.Ports(container.Ports));
        Assert.Equal(["bridge"], container.Networks);
        Assert.True(container.Tty && container.IsDetailed);
    }

    [Theory]
    [InlineData("2024-05-01T10:00:00Z")]
    [InlineData("2024-05-01T10:00:00.1Z")]
    [InlineData("2024-05-01T12:00:00.123456789+02:00")]
    public void Rfc3339_With_Up_To_Nine_Digits_Parses(string text)
    {
        var parsed = EngineTime.ParseRfc3339(text)!.Value.ToUniversalTime();
        Assert.Equal(new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc), parsed.AddTicks(-(parsed.Ticks % TimeSpan.TicksPerSecond)));
        Assert.Equal(DateTimeKind.Local, EngineTime.ParseRfc3339(text)!.Value.Kind);
    }

    [Fact]
    public void Zero_Times_Are_Null_And_Garbage_Is_An_Error()
    {
        Assert.Null(EngineTime.ParseRfc3339("0001-01-01T00:00:00Z"));
        Assert.Null(EngineTime.ParseRfc3339(""));
        Assert.Throws<FormatException>(() => EngineTime.ParseRfc3339("yesterday"));
    }

    [Fact]
    public void Api_Timestamps_Are_Unix_Seconds_With_Nanoseconds()
    {
        var time = new DateTime(2023, 11, 14, 22, 13, 20, DateTimeKind.Utc).AddTicks(5);
        Assert.Equal("1700000000.000000500", EngineTime.ToApiTimestamp(time));
    }

    [Theory]
    [InlineData("2024-05-01T10:00:00.123456789Z hello world", "hello world", true)]
    [InlineData("2024-05-01T10:00:00Z ", "", true)]
    [InlineData("no timestamp here", "no timestamp here", false)]
    public void Log_Lines_Split_Off_Their_Timestamp(string line, string text, bool hasTime)
    {
        var (time, rest) = LogLineParser.Split(line, hasTimestamp: true);
        Assert.Equal(text, rest);
        Assert.Equal(hasTime, time is not null);
        Assert.Equal((null, line), LogLineParser.Split(line, hasTimestamp: false));
    }

    [Fact]
    public void Images_Are_One_Object_Per_Tag_And_Untagged_Ones_Show_None()
    {
        var images = ImageConverter.FromSummary(new Api.ImageSummary
        {
            Id = "sha256:" + new string('a', 64),
            RepoTags = ["busybox:latest", "registry:5000/busybox:1"],
            Created = 1_700_000_000,
            Size = 4_260_000,
        }, "e").ToList();
        Assert.Equal([("busybox", "latest"), ("registry:5000/busybox", "1")], images.Select(i => (i.Repository, i.Tag)));
        Assert.Equal("busybox:latest", images[0].Reference);
        Assert.Equal("aaaaaaaaaaaa", images[0].ShortId);

        var untagged = Assert.Single(ImageConverter.FromSummary(new Api.ImageSummary { Id = "sha256:" + new string('b', 64), RepoTags = ["<none>:<none>"] }, "e"));
        Assert.Equal((ContainerImage.None, ContainerImage.None), (untagged.Repository, untagged.Tag));
        Assert.Equal("sha256:" + new string('b', 64), untagged.Reference);
    }

    [Fact]
    public void Top_Columns_Become_Typed_Properties()
    {
        var processes = ResourceConverter.ToProcesses(new Api.ContainerTopResponse
        {
            Titles = ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"],
            Processes = [["root", "4242", "4200", "0", "10:00", "?", "00:00:00", "httpd -f"]],
        }, Id, "web").ToList();
        var p = Assert.Single(processes);
        Assert.Equal(("root", 4242, 4200, "httpd -f", "0"), (p.User, p.ProcessId, p.ParentProcessId, p.Command, p.Columns["C"]));
    }

    [Fact]
    public void Changes_Events_And_Volumes_Convert()
    {
        var changes = ResourceConverter.ToChanges([new Api.ContainerChange { Path = "/tmp/x", Kind = 1 }, new Api.ContainerChange { Path = "/etc", Kind = 0 }, new Api.ContainerChange { Path = "/old", Kind = 2 }], Id).ToList();
        Assert.Equal(["A /tmp/x", "C /etc", "D /old"], changes.Select(c => c.ToString()));

        var evt = ResourceConverter.ToEvent(new Api.EventMessage { Type = "container", Action = "die", Actor = new Api.EventActor { ID = Id, Attributes = new() { ["name"] = "web", ["exitCode"] = "0" } }, Time = 1, TimeNano = 1_700_000_000_500_000_000 });
        Assert.Equal(("die", "web"), (evt.Action, evt.ActorName));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500).LocalDateTime, evt.Time);

        var old = ResourceConverter.ToEvent(new Api.EventMessage { Status = "start", Id = Id, Time = 1_700_000_000 });
        Assert.Equal(("container", "start", Id), (old.Type, old.Action, old.ActorId));

        var volume = ResourceConverter.ToVolume(new Api.VolumeSummary { Name = "data", Mountpoint = "/var/lib/x", CreatedAt = "2024-05-01T10:00:00Z", UsageData = new Api.VolumeUsageData { Size = 10, RefCount = 1 } }, "e");
        Assert.Equal(("data", 10L, 1L), (volume.Name, volume.Size, volume.RefCount));
    }

    [Fact]
    public void Cpu_Percent_Is_Dockers_Formula_And_Memory_Excludes_The_Page_Cache()
    {
        var stats = new Api.ContainerStats
        {
            Id = Id,
            Name = "/web",
            Read = "2024-05-01T10:00:00Z",
            CpuStats = new Api.CpuStats { CpuUsage = new Api.CpuUsage { TotalUsage = 300 }, SystemCpuUsage = 2000, OnlineCpus = 2 },
            PreCpuStats = new Api.CpuStats { CpuUsage = new Api.CpuUsage { TotalUsage = 100 }, SystemCpuUsage = 1000 },
            MemoryStats = new Api.MemoryStats { Usage = 1000, Limit = 4000, Stats = new() { ["total_inactive_file"] = 200 } },
            Networks = new() { ["eth0"] = new Api.NetworkStats { RxBytes = 5, TxBytes = 7 }, ["eth1"] = new Api.NetworkStats { RxBytes = 1, TxBytes = 1 } },
            BlkioStats = new Api.BlkioStats { IoServiceBytesRecursive = [new Api.BlkioStatEntry { Op = "Read", Value = 9 }, new Api.BlkioStatEntry { Op = "Write", Value = 3 }] },
            PidsStats = new Api.PidsStats { Current = 4 },
        };
        var sample = StatisticConverter.ToStatistic(stats, Id, "x");
        Assert.Equal(40.0, sample.CpuPercent);
        Assert.Equal((800UL, 20.0), (sample.MemoryUsage, sample.MemoryPercent));
        Assert.Equal((6UL, 8UL, 9UL, 3UL, 4UL), (sample.NetworkReceived, sample.NetworkSent, sample.BlockRead, sample.BlockWritten, sample.Pids));
        Assert.Equal("web", sample.Name);
        Assert.Equal(0, StatisticConverter.CpuPercent(stats.PreCpuStats, stats.CpuStats));
    }

    [Theory]
    [InlineData(0.5, "Less than a second ago")]
    [InlineData(45, "45 seconds ago")]
    [InlineData(90, "About a minute ago")]
    [InlineData(300, "5 minutes ago")]
    [InlineData(5400, "About an hour ago")]
    [InlineData(3 * 3600, "3 hours ago")]
    [InlineData(3 * 86400, "3 days ago")]
    [InlineData(21 * 86400, "3 weeks ago")]
    [InlineData(90 * 86400, "3 months ago")]
    [InlineData(800 * 86400, "2 years ago")]
    public void Ages_Read_Like_Docker(double seconds, string text)
    {
        var now = new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Local);
        Assert.Equal(text, HumanText.Ago(now.AddSeconds(-seconds), now));
    }

    [Theory]
    [InlineData(0L, "0B")]
    [InlineData(999L, "999B")]
    [InlineData(4_260_000L, "4.26MB")]
    [InlineData(1_500_000_000L, "1.5GB")]
    [InlineData(-1L, "N/A")]
    public void Sizes_Read_Like_Docker_Images(long bytes, string text) => Assert.Equal(text, HumanText.Size(bytes));

    [Fact]
    public void Binary_Sizes_Read_Like_Docker_Stats()
    {
        Assert.Equal("1.5MiB", HumanText.BinarySize(3UL << 19));
        Assert.Equal("512B", HumanText.BinarySize(512));
    }
}
