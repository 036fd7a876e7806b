using System.Runtime.InteropServices;
using PSContainer.Api;
using PSContainer.Engine.Core.Images;
using PSContainer.Engine.Core.Snapshots;
using PSContainer.Engine.Daemon.Containers;

namespace PSContainer.Engine.Daemon;

/// <summary>What /version, /info and /system/df report.</summary>
public sealed class SystemService(ContainerService containers, IImageStore images, ISnapshotter snapshotter, EngineOptions options, string runtimePath, string engineId)
{
    public static string EngineVersion =>
        typeof(SystemService).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public SystemVersion Version() => new()
    {
        Platform = new ComponentVersion { Name = "PSContainer Engine" },
        Components =
        [
            new ComponentVersion { Name = "Engine", Version = EngineVersion, Details = new Dictionary<string, string>
            {
                ["ApiVersion"] = Api.ApiVersion.Current,
                ["MinAPIVersion"] = Api.ApiVersion.Minimum,
                ["Os"] = "linux",
                ["Arch"] = "amd64",
                ["KernelVersion"] = KernelVersion(),
            } },
            new ComponentVersion { Name = "runtime", Version = Path.GetFileName(runtimePath), Details = new Dictionary<string, string> { ["Path"] = runtimePath } },
        ],
        Version = EngineVersion,
        ApiVersion = Api.ApiVersion.Current,
        MinAPIVersion = Api.ApiVersion.Minimum,
        GitCommit = "",
        GoVersion = RuntimeInformation.FrameworkDescription,
        Os = "linux",
        Arch = "amd64",
        KernelVersion = KernelVersion(),
        BuildTime = "",
    };

    public SystemInfo Info(int eventListeners)
    {
        var all = containers.Store.All();
        var cgroupV2 = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        return new SystemInfo
        {
            ID = engineId,
            Containers = all.Count,
            ContainersRunning = all.Count(c => c.Record.State.Status == "running"),
            ContainersPaused = all.Count(c => c.Record.State.Status == "paused"),
            ContainersStopped = all.Count(c => c.Record.State.Status is not ("running" or "paused")),
            Images = images.List().Count,
            Driver = snapshotter.Name,
            DriverStatus = [],
            DockerRootDir = options.DataRoot,
            Plugins = new PluginsInfo { Volume = ["local"], Network = ["bridge", "host", "null"], Log = ["json-file"] },
            MemoryLimit = true,
            SwapLimit = File.Exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes") || cgroupV2,
            CpuCfsPeriod = true,
            CpuCfsQuota = true,
            CPUShares = true,
            CPUSet = true,
            PidsLimit = true,
            OomKillDisable = !cgroupV2,
            IPv4Forwarding = File.Exists("/proc/sys/net/ipv4/ip_forward") && File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim() == "1",
            Debug = options.Debug,
            NFd = Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : 0,
            NGoroutines = System.Diagnostics.Process.GetCurrentProcess().Threads.Count,
            SystemTime = ContainerService.Timestamp(DateTimeOffset.UtcNow),
            LoggingDriver = "json-file",
            CgroupDriver = "cgroupfs",
            CgroupVersion = cgroupV2 ? "2" : "1",
            NEventsListener = eventListeners,
            KernelVersion = KernelVersion(),
            OperatingSystem = OsName(),
            OSVersion = "",
            OSType = "linux",
            Architecture = RuntimeInformation.OSArchitecture == Architecture.X64 ? "x86_64" : RuntimeInformation.OSArchitecture.ToString(),
            NCPU = Environment.ProcessorCount,
            MemTotal = MemTotal(),
            IndexServerAddress = "https://index.docker.io/v1/",
            Name = Environment.MachineName,
            ServerVersion = EngineVersion,
            Runtimes = new Dictionary<string, RuntimeInfo> { ["runc"] = new RuntimeInfo { Path = runtimePath } },
            DefaultRuntime = "runc",
            LiveRestoreEnabled = true,
            InitBinary = Spec.InitBinary.Find() ?? "",
            ContainerdCommit = new CommitInfo(),
            RuncCommit = new CommitInfo(),
            InitCommit = new CommitInfo(),
            SecurityOptions = ["name=seccomp,profile=builtin"],
            Warnings = [],
        };
    }

    public SystemDiskUsage DiskUsage()
    {
        var usage = new SystemDiskUsage();
        var byImage = containers.Store.All().GroupBy(c => c.Record.ImageId).ToDictionary(g => g.Key, g => g.Count());
        foreach (var image in images.List())
        {
            usage.Images.Add(new ImageSummary
            {
                Id = image.Id.ToString(),
                RepoTags = [.. image.RepoTags],
                RepoDigests = [.. image.RepoDigests],
                Created = (image.Config.Created ?? image.LoadedAt).ToUnixTimeSeconds(),
                Size = image.ContentSize,
                SharedSize = 0,
                Containers = byImage.TryGetValue(image.Id.ToString(), out var n) ? n : 0,
            });
            usage.LayersSize += image.ContentSize;
        }
        usage.Containers = containers.List(all: true, limit: null, size: true, ContainerFilters.None);
        usage.Volumes = containers.Volumes.DiskUsage();
        return usage;
    }

    private static string KernelVersion()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static string OsName()
    {
        try
        {
            var line = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            return line?["PRETTY_NAME=".Length..].Trim('"') ?? "Linux";
        }
        catch (IOException)
        {
            return "Linux";
        }
    }

    private static long MemTotal()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException)
        {
            return 0;
        }
    }
}
