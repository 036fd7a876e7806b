using System.Globalization;
using System.Text.Json;
using PSContainer.Api;
using PSContainer.Engine.Errors;
using PSContainer.ShimApi;

namespace PSContainer.Engine.Daemon.Containers;

public sealed partial class ContainerService
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ContainerStats> _lastStats = new(StringComparer.Ordinal);

    /// <summary>docker stats: one sample (stream false) or one per second until the client leaves or the container stops.</summary>
    public async Task StatsAsync(string idOrName, bool stream, bool oneShot, Func<ContainerStats, Task> write, CancellationToken cancellationToken)
    {
        var container = store.Get(idOrName);
        ContainerStats? previous = null;
        var hostMemory = HostMemory();
        var first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = container.Record.State.HasTask ? tasks.Get(container.Id) : null;
            ContainerStats current;
            if (client is null)
            {
                // A stopped container reports zeros, as Docker does.
                current = new ContainerStats { Id = container.Id, Name = "/" + container.Name };
            }
            else
            {
                try
                {
                    var data = await client.StatsAsync(cancellationToken).ConfigureAwait(false);
                    current = StatsConverter.Convert(data.Data, container.Id, container.Name, DateTimeOffset.UtcNow, previous, hostMemory);
                }
                catch (ShimException)
                {
                    current = new ContainerStats { Id = container.Id, Name = "/" + container.Name };
                }
            }
            // A single sample answers at once (the CLI gives up after about two seconds); its CPU
            // percentage uses the previous sample of this container when one was taken recently.
            if (first && previous is null && _lastStats.TryGetValue(container.Id, out var cached) && !oneShot)
            {
                current.PreCpuStats = cached.CpuStats;
                current.PreRead = cached.Read;
            }
            first = false;
            _lastStats[container.Id] = current;
            await write(current).ConfigureAwait(false);
            if (!stream || client is null)
            {
                return;
            }
            previous = current;
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }

    private static long HostMemory()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException)
        {
            return long.MaxValue;
        }
    }

    /// <summary>docker top: the container's processes (from the shim) described from /proc.</summary>
    public async Task<ContainerTopResponse> TopAsync(string idOrName, CancellationToken cancellationToken)
    {
        var container = store.Get(idOrName);
        if (container.Record.State.Status != "running" && container.Record.State.Status != "paused")
        {
            throw EngineException.Conflict($"Container {container.Id} is not running");
        }
        var processes = await Client(container).PidsAsync(cancellationToken).ConfigureAwait(false);
        var top = new ContainerTopResponse { Titles = ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"] };
        foreach (var process in processes.OrderBy(p => p.Pid))
        {
            if (ProcRow(process.Pid) is { } row)
            {
                top.Processes.Add(row);
            }
        }
        return top;
    }

    /// <summary>One `ps -ef`-like row from /proc/PID; null when the process is gone.</summary>
    private static List<string>? ProcRow(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var afterComm = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ppid = afterComm[1];
            var ticks = ulong.Parse(afterComm[11], CultureInfo.InvariantCulture) + ulong.Parse(afterComm[12], CultureInfo.InvariantCulture);
            var startTicks = ulong.Parse(afterComm[19], CultureInfo.InvariantCulture);
            var uid = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
            if (cmdline.Length == 0)
            {
                cmdline = "[" + stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')] + "]";
            }
            var uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture);
            var started = DateTime.Now - TimeSpan.FromSeconds(uptime - startTicks / 100.0);
            var cpu = TimeSpan.FromSeconds(ticks / 100.0);
            return [HostUserNames.For(uid), pid.ToString(CultureInfo.InvariantCulture), ppid, "0", started.ToString("HH:mm", CultureInfo.InvariantCulture), "?",
                $"{(int)cpu.TotalHours:D2}:{cpu.Minutes:D2}:{cpu.Seconds:D2}", cmdline];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>docker update: new limits applied to the running task and recorded for the next start.</summary>
    public async Task<ContainerUpdateResponse> UpdateAsync(string idOrName, ContainerUpdateRequest update, CancellationToken cancellationToken)
    {
        var container = store.Get(idOrName);
        await container.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var host = container.Record.HostConfig;
            if (update.Memory != 0) host.Memory = update.Memory;
            if (update.MemorySwap != 0) host.MemorySwap = update.MemorySwap;
            if (update.MemoryReservation != 0) host.MemoryReservation = update.MemoryReservation;
            if (update.NanoCpus != 0) host.NanoCpus = update.NanoCpus;
            if (update.CpuShares != 0) host.CpuShares = update.CpuShares;
            if (update.CpuQuota != 0) host.CpuQuota = update.CpuQuota;
            if (update.CpuPeriod != 0) host.CpuPeriod = update.CpuPeriod;
            if (!string.IsNullOrEmpty(update.CpusetCpus)) host.CpusetCpus = update.CpusetCpus;
            if (!string.IsNullOrEmpty(update.CpusetMems)) host.CpusetMems = update.CpusetMems;
            if (update.PidsLimit is { } pids) host.PidsLimit = pids;
            if (update.BlkioWeight != 0) host.BlkioWeight = update.BlkioWeight;
            if (update.RestartPolicy is { Name: { Length: > 0 } } policy)
            {
                if (host.AutoRemove && policy.Name is not "no")
                {
                    throw EngineException.InvalidParameter("Restart policy cannot be updated because AutoRemove is enabled for the container");
                }
                host.RestartPolicy = policy;
            }
            // Validates the combination the same way create does (memory vs swap, cpus vs quota).
            var spec = Spec.SpecBuilder.Build(container.Record, DryRunInputs(container));
            if (container.Record.State.HasTask && tasks.Get(container.Id) is { } client)
            {
                var resources = spec.Linux!.Resources!;
                resources.Devices = null; // only limits change; the device rules stay as created
                await client.UpdateAsync(JsonSerializer.SerializeToElement(resources, Oci.OciJsonContext.Default.LinuxResources), cancellationToken).ConfigureAwait(false);
            }
            store.Save(container);
        }
        finally
        {
            container.Gate.Release();
        }
        Publish(container, "update");
        return new ContainerUpdateResponse();
    }
}
