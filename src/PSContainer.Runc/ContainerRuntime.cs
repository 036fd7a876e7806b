using System.Runtime.InteropServices;
using System.Text.Json;
using PSContainer.Interop.Linux;
using PSContainer.Oci;
using PSContainer.Runc.Container;

namespace PSContainer.Runc;

/// <summary>
/// psc-runc as a library: runc's operations on containers kept under one state root. The CLI is a
/// thin parser over this class; psc-shim can host it in-process and skip a process start per call.
/// Every method throws <see cref="RuncException"/> with one clear line on failure.
/// </summary>
public sealed partial class ContainerRuntime
{
    public const string OciVersion = "1.2.0";

    private readonly RuntimeOptions _options;

    public ContainerRuntime(RuntimeOptions options)
    {
        _options = options;
        Store = new StateStore(options.Root);
    }

    public StateStore Store { get; }

    /// <summary>The status of a recorded container: created, running, paused or stopped.</summary>
    public string StatusOf(ContainerRecord record)
    {
        if (!ProcessInfo.IsAlive(record.Pid, record.PidStartTime))
        {
            return "stopped";
        }
        if (File.Exists(Store.FifoOf(record.Id)))
        {
            return "created";
        }
        return CgroupOf(record)?.IsFrozen() == true ? "paused" : "running";
    }

    /// <summary>`state`: runc's JSON fields for one container.</summary>
    public ContainerState State(string id)
    {
        var record = Store.Load(id);
        var status = StatusOf(record);
        return new ContainerState
        {
            OciVersion = OciVersion, // the spec version this runtime speaks, as runc reports its own
            Id = record.Id,
            Pid = status == "stopped" ? 0 : record.Pid,
            Status = status,
            Bundle = record.Bundle,
            Rootfs = record.Rootfs,
            Created = ContainerState.Rfc3339Nano(record.Created),
            Owner = record.Owner,
            Annotations = record.Config.Annotations,
        };
    }

    /// <summary>`list`: every container under the root, by id.</summary>
    public IReadOnlyList<ContainerSummary> List()
    {
        var result = new List<ContainerSummary>();
        foreach (var id in Store.Ids())
        {
            ContainerState s;
            try
            {
                s = State(id);
            }
            catch (RuncException)
            {
                continue; // removed while we listed
            }
            result.Add(new ContainerSummary
            {
                OciVersion = s.OciVersion, Id = s.Id, Pid = s.Pid, Status = s.Status, Bundle = s.Bundle,
                Rootfs = s.Rootfs, Created = s.Created, Owner = s.Owner, Annotations = s.Annotations,
            });
        }
        return result;
    }

    /// <summary>`kill`: sends <paramref name="signal"/> to the init, or with <paramref name="all"/> to every process of the container.</summary>
    public void Kill(string id, int signal, bool all = false)
    {
        var record = Store.Load(id);
        var status = StatusOf(record);
        if (status == "stopped" && !all)
        {
            throw new RuncException("container not running");
        }
        if (all && CgroupOf(record) is { } cgroup)
        {
            foreach (var pid in cgroup.Pids())
            {
                Libc.kill(pid, signal); // a process that exits meanwhile is not an error
            }
            return;
        }
        if (Libc.kill(record.Pid, signal) < 0)
        {
            throw new RuncException(SyscallException.FromLastError("kill", $"pid {record.Pid} with signal {signal}").Message);
        }
    }

    /// <summary>`ps`: the pids of the container's processes (from its cgroup).</summary>
    public IReadOnlyList<int> Ps(string id)
    {
        var record = Store.Load(id);
        var cgroup = CgroupOf(record) ?? throw new RuncException($"container \"{id}\" has no cgroup: ps needs one");
        return cgroup.Pids();
    }

    /// <summary>`pause`: freezes every process of the container.</summary>
    public void Pause(string id)
    {
        var record = Store.Load(id);
        var status = StatusOf(record);
        if (status != "running")
        {
            throw new RuncException($"container not running: {status}");
        }
        (CgroupOf(record) ?? throw new RuncException("pause needs the container's cgroup (freezer)")).Freeze();
    }

    /// <summary>`resume`: thaws a paused container.</summary>
    public void Resume(string id)
    {
        var record = Store.Load(id);
        var status = StatusOf(record);
        if (status != "paused")
        {
            throw new RuncException($"container not paused: {status}");
        }
        (CgroupOf(record) ?? throw new RuncException("resume needs the container's cgroup (freezer)")).Thaw();
    }

    /// <summary>`update`: applies new limits and records them for later reads of the config.</summary>
    public void Update(string id, LinuxResources resources)
    {
        var record = Store.Load(id);
        if (StatusOf(record) == "stopped")
        {
            throw new RuncException("container not running");
        }
        (CgroupOf(record) ?? throw new RuncException("update needs the container's cgroup")).Set(resources);
        record.Config.Linux ??= new Linux();
        record.Config.Linux.Resources = resources;
        record.ConfigJson = null; // changed: serialize the model again
        Store.Save(record);
    }

    /// <summary>`events --stats`: the cgroup statistics as runc's "data" JSON object, or null.</summary>
    public string? Stats(string id)
    {
        var record = Store.Load(id);
        return CgroupOf(record)?.StatsJson();
    }

    private IContainerCgroup? CgroupOf(ContainerRecord record) =>
        record.CgroupPath is { } path && _options.Cgroups is { } provider ? provider.Open(path) : null;

    /// <summary>The OCI state hooks get on stdin (written by hand: see RecordJson for why).</summary>
    internal static byte[] StateJson(ContainerRecord record, string status)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("ociVersion", OciVersion);
            w.WriteString("id", record.Id);
            w.WriteString("status", status);
            w.WriteNumber("pid", record.Pid);
            w.WriteString("bundle", record.Bundle);
            if (record.Config.Annotations is { } annotations)
            {
                w.WriteStartObject("annotations");
                foreach (var (key, value) in annotations)
                {
                    w.WriteString(key, value);
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private void Debug(string message) => _options.Debug?.Invoke(message);

    private void Warn(string message) => _options.Warn?.Invoke(message);

    /// <summary>Waits for a process that may not be our child to exit (pidfd), at most <paramref name="timeoutMs"/>.</summary>
    private static unsafe bool WaitGone(int pid, int timeoutMs)
    {
        var pidfd = Libc.pidfd_open(pid);
        if (pidfd < 0)
        {
            return Marshal.GetLastPInvokeError() == Errno.ESRCH;
        }
        try
        {
            var poll = new Libc.PollFd { Fd = pidfd, Events = Libc.POLLIN };
            int rc;
            do
            {
                rc = Libc.poll(&poll, 1, timeoutMs);
            }
            while (rc < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
            // Our own child stays a zombie until reaped: reap it if it is ours (ECHILD otherwise).
            int status;
            Libc.waitpid(pid, &status, Libc.WNOHANG);
            return rc > 0;
        }
        finally
        {
            Libc.close(pidfd);
        }
    }

    /// <summary>Waits for our child <paramref name="pid"/> and returns its shell-style exit status.</summary>
    public static unsafe int WaitChild(int pid)
    {
        int status;
        while (Libc.waitpid(pid, &status, 0) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                throw new SyscallException("waitpid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), errno);
            }
        }
        return Libc.ExitCodeFromWaitStatus(status);
    }
}
