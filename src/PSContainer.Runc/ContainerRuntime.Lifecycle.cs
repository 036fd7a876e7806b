using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using PSContainer.Interop.Linux;
using PSContainer.Oci;
using PSContainer.Runc.Container;
using PSContainer.Runc.Process;

namespace PSContainer.Runc;

public sealed partial class ContainerRuntime
{
    /// <summary>
    /// `create`: builds the container from the bundle and leaves its init waiting on the exec FIFO
    /// (the user process does not run until <see cref="Start"/>). On failure nothing is left behind.
    /// The init is a child of the calling process (CLONE_PARENT): a long-lived caller must reap it.
    /// </summary>
    public ContainerState Create(string id, string bundle, CreateOptions options)
    {
        Trace.Step("runc.create.begin", id);
        StateStore.ValidateId(id);
        bundle = Path.GetFullPath(bundle);
        Spec spec;
        byte[] configJson;
        try
        {
            configJson = ReadConfig(Path.Combine(bundle, "config.json"));
            spec = SpecValidator.Parse(configJson);
        }
        catch (InvalidSpecException e)
        {
            throw new RuncException(e.Message);
        }
        var rootfs = Path.GetFullPath(Path.Combine(bundle, spec.Root!.Path));
        if (!Directory.Exists(rootfs))
        {
            throw new RuncException($"rootfs ({rootfs}) does not exist");
        }
        if (IgnoredFields.IsSet(spec.Linux?.IntelRdt))
        {
            throw new RuncException("config.json: linux.intelRdt is not supported by psc-runc");
        }
        Debug("config loaded");
        Store.CreateDir(id);
        var record = new ContainerRecord
        {
            Id = id,
            Bundle = bundle,
            Rootfs = rootfs,
            Created = DateTimeOffset.UtcNow,
            Owner = "",
            Config = spec,
            ConfigJson = configJson,
            Namespaces = spec.Linux?.Namespaces?.Select(n => n.Type).ToList() ?? [],
        };
        IContainerCgroup? cgroup = null;
        var initPid = 0;
        try
        {
            var fifoPath = Store.FifoOf(id);
            Libc.Check(Libc.mkfifo(fifoPath, 0x192 /* 0622 */), "mkfifo", fifoPath);
            // mkfifo applies the umask (0622 becomes 0600 under 022); the init opens the fifo for
            // writing after it has become the container's user, so others must be able to write.
            Libc.Check(Libc.fchmodat(-100 /* AT_FDCWD */, fifoPath, 0x192, 0), "chmod 0622", fifoPath);
            cgroup = _options.Cgroups?.ForNew(id, spec.Linux);
            record.CgroupPath = cgroup?.Path;
            initPid = Launch(record, options, cgroup);
            record.Pid = initPid;
            record.PidStartTime = ProcessInfo.Read(initPid)?.StartTime
                ?? throw new RuncException("container init exited before it was ready");
            Store.Save(record);
            if (options.PidFile is { } pidFile)
            {
                StateStore.WriteAtomically(Path.GetFullPath(pidFile), Encoding.ASCII.GetBytes(initPid.ToString(CultureInfo.InvariantCulture)));
            }
            Trace.Step("runc.create.end", id);
            return State(id);
        }
        catch
        {
            Cleanup(record, initPid, cgroup);
            throw;
        }
    }

    private static byte[] ReadConfig(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RuncException($"config.json: no such file: {path}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RuncException($"config.json: cannot read {path}: {e.Message}");
        }
    }

    private int Launch(ContainerRecord record, CreateOptions options, IContainerCgroup? cgroup)
    {
        var spec = record.Config;
        var firstFd = 3 + options.PreserveFds;
        // firstFd and firstFd + 1 are the plan and the sync socket (StageZero); then the FIFO and the console.
        var fifoFd = firstFd + 2;
        var consoleFd = firstFd + 3;
        var traceFd = firstFd + 4;
        var inherit = new List<FdMapping>();
        var fifo = Libc.Check(Libc.open(Store.FifoOf(record.Id), Libc.O_PATH | Libc.O_CLOEXEC, 0), "open", Store.FifoOf(record.Id));
        Socket? console = null;
        try
        {
            inherit.Add(new(fifo, fifoFd));
            AddStdio(inherit, options.Stdio);
            if (spec.Process!.Terminal == true)
            {
                console = ConnectConsole(options.ConsoleSocket ?? throw new RuncException("process.terminal is true: --console-socket is required"));
                inherit.Add(new((int)console.Handle, consoleFd));
            }
            if (Trace.On)
            {
                inherit.Add(new(Trace.Fd, traceFd));
            }
            var (seccomp, seccompFlags) = CompileSeccomp(spec);
            var plan = PlanBuilder.BuildInit(new PlanInputs
            {
                Spec = spec,
                Rootfs = record.Rootfs,
                FirstRuntimeFd = firstFd,
                ExecFifoFd = fifoFd,
                ConsoleSocketFd = console is null ? null : consoleFd,
                NoPivot = options.NoPivot,
                Home = Passwd.HomeOf(record.Rootfs, spec.Process.User.Uid),
                SeccompProgram = seccomp,
                SeccompFlags = seccompFlags,
                CapabilityNumber = _options.CapabilityNumber,
                Lsm = HostLsm.Value,
                HostHasKcore = File.Exists("/proc/kcore"),
                CgroupMounts = cgroup?.MountSources ?? [],
                TraceFd = Trace.On ? traceFd : null,
                StartHookState = spec.Hooks?.StartContainer is { Count: > 0 } ? StartHookState(record) : ("", ""),
                Id = record.Id,
            });
            Trace.Step("runc.nsexec.spawn", record.Id);
            Debug($"plan for {record.Id}: {plan.Steps.Count} steps");
            using var stage = StageZero.Start(_options.NsexecPath, plan, firstFd, inherit);
            Debug($"psc-nsexec started (pid {stage.Pid})");
            Libc.close(fifo);
            fifo = -1;
            console?.Dispose();
            console = null;
            return Drive(stage, record, cgroup, untilReady: true);
        }
        finally
        {
            if (fifo >= 0)
            {
                Libc.close(fifo);
            }
            console?.Dispose();
        }
    }

    /// <summary>
    /// Answers psc-nsexec's sync messages until the init is ready (create) or has exec'd (exec):
    /// puts the new process into the cgroup, runs the hooks at the barrier, turns a failure report
    /// into one line naming the step. Returns the new process's pid.
    /// </summary>
    private int Drive(StageZero stage, ContainerRecord record, IContainerCgroup? cgroup, bool untilReady)
    {
        var pid = 0;
        try
        {
            while (true)
            {
                var message = stage.Receive();
                switch (message.Kind)
                {
                    case SyncKind.Pid:
                        pid = (int)message.Value;
                        stage.WaitStageExit();
                        if (cgroup is not null)
                        {
                            cgroup.Apply(pid);
                            if (untilReady)
                            {
                                cgroup.Set(DeviceRules.Effective(record.Config.Linux));
                            }
                        }
                        stage.Go();
                        Debug($"init {pid} placed and released");
                        break;
                    case SyncKind.Hook:
                        record.Pid = pid;
                        var state = StateJson(record, "creating");
                        var hooks = record.Config.Hooks;
                        HookRunner.RunAll("prestart", hooks?.Prestart, state);
                        HookRunner.RunAll("createRuntime", hooks?.CreateRuntime, state);
                        RunHooksInContainer("createContainer", hooks?.CreateContainer, pid, record, state);
                        stage.Go();
                        break;
                    case SyncKind.Seccomp:
                        HandOverSeccompFd(message.Fd, pid, record, untilReady ? "creating" : "running", untilReady);
                        stage.Go();
                        break;
                    case SyncKind.Ready when untilReady:
                        Debug($"init {pid} ready");
                        return pid;
                    case SyncKind.Error:
                        throw stage.Failure(message);
                    case SyncKind.Closed when !untilReady && pid > 0:
                        return pid;
                    default:
                        throw new RuncException(pid > 0
                            ? "container init exited before it was ready"
                            : "psc-nsexec exited before it cloned the container process");
                }
            }
        }
        catch
        {
            if (pid > 0)
            {
                Libc.kill(pid, 9);
                WaitChild(pid);
            }
            else
            {
                Libc.kill(stage.Pid, 9);
                stage.WaitStageExit();
            }
            throw;
        }
    }

    /// <summary>Sends the seccomp notification fd of process <paramref name="pid"/> to the config's seccomp agent, then closes our copy.</summary>
    private static void HandOverSeccompFd(int fd, int pid, ContainerRecord record, string status, bool isInit)
    {
        try
        {
            if (fd < 0)
            {
                throw new RuncException("psc-nsexec sent SECCOMP without the notification fd");
            }
            var seccomp = record.Config.Linux?.Seccomp;
            var listener = seccomp?.ListenerPath is { Length: > 0 } path ? path
                : throw new RuncException("linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY");
            if (isInit)
            {
                record.Pid = pid;
            }
            var state = Encoding.UTF8.GetString(StateJson(record, status));
            SeccompAgent.Send(listener, SeccompAgent.ProcessState(OciVersion, pid, seccomp.ListenerMetadata, state), fd);
        }
        finally
        {
            if (fd >= 0)
            {
                Libc.close(fd);
            }
        }
    }

    /// <summary>The host's label LSMs, read once per process.</summary>
    private static readonly Lazy<HostSecurityModules> HostLsm = new(HostSecurityModules.Detect);

    private static Socket ConnectConsole(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new RuncException($"connect to the console socket {path}: {e.Message}");
        }
    }

    private (byte[]? Program, long Flags) CompileSeccomp(Spec spec)
    {
        if (spec.Linux?.Seccomp is not { } seccomp)
        {
            return (null, 0);
        }
        var compile = _options.CompileSeccomp ?? throw new RuncException("linux.seccomp is set but this runtime has no seccomp compiler");
        return compile(seccomp);
    }

    /// <summary>Removes whatever a failed create made: the init, the cgroup, the state directory.</summary>
    private void Cleanup(ContainerRecord record, int initPid, IContainerCgroup? cgroup)
    {
        if (initPid > 0 && ProcessInfo.Read(initPid) is not null)
        {
            Libc.kill(initPid, 9);
            WaitGone(initPid, 5000);
        }
        try
        {
            cgroup?.Destroy();
        }
        catch (Exception e) when (e is IOException or RuncException or UnauthorizedAccessException)
        {
            Warn($"remove the cgroup of {record.Id}: {e.Message}");
        }
        Store.Remove(record.Id);
    }

    /// <summary>`start`: lets a created container's init exec the user process, then runs poststart hooks.</summary>
    public unsafe void Start(string id)
    {
        Trace.Step("runc.start", id);
        var record = Store.Load(id);
        var status = StatusOf(record);
        if (status != "created")
        {
            throw new RuncException(status == "stopped"
                ? "cannot start a container that has stopped"
                : $"cannot start an already running container (status {status})");
        }
        var fifoPath = Store.FifoOf(id);
        // Non-blocking open: a plain open would hang forever if the init died meanwhile.
        var fifo = Libc.Check(Libc.open(fifoPath, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0), "open", fifoPath);
        var pidfd = Libc.pidfd_open(record.Pid);
        try
        {
            var polls = stackalloc Libc.PollFd[2];
            polls[0] = new Libc.PollFd { Fd = fifo, Events = Libc.POLLIN };
            polls[1] = new Libc.PollFd { Fd = pidfd, Events = Libc.POLLIN };
            while (true)
            {
                var rc = Libc.poll(polls, pidfd >= 0 ? 2u : 1u, -1);
                if (rc < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR)
                {
                    continue;
                }
                Libc.Check(rc, "poll", fifoPath);
                byte b;
                if ((polls[0].Revents & Libc.POLLIN) != 0 && Libc.read(fifo, &b, 1) == 1)
                {
                    break;
                }
                if (pidfd >= 0 && polls[1].Revents != 0)
                {
                    throw new RuncException("cannot start a container that has stopped");
                }
            }
        }
        finally
        {
            Libc.close(fifo);
            if (pidfd >= 0)
            {
                Libc.close(pidfd);
            }
        }
        File.Delete(fifoPath);
        record.Started = true;
        Store.Save(record);
        try
        {
            HookRunner.RunAll("poststart", record.Config.Hooks?.Poststart, StateJson(record, "running"));
        }
        catch (RuncException e)
        {
            Warn(e.Message);
        }
    }

    /// <summary>
    /// `run`: create and start; with <see cref="CreateOptions.Detach"/> return 0 at once, otherwise
    /// wait for the init (forwarding SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 to it),
    /// delete the container and return its exit status (128 + signal for a killed init).
    /// </summary>
    public int Run(string id, string bundle, CreateOptions options)
    {
        var state = Create(id, bundle, options);
        try
        {
            Start(id);
        }
        catch
        {
            Delete(id, force: true);
            throw;
        }
        if (options.Detach)
        {
            return 0;
        }
        Debug("started");
        var registrations = ForwardSignals(state.Pid);
        try
        {
            var code = WaitChild(state.Pid);
            Debug($"init exited with {code}");
            Delete(id, force: true);
            Debug("deleted");
            return code;
        }
        finally
        {
            foreach (var r in registrations)
            {
                r.Dispose();
            }
        }
    }

    private static List<PosixSignalRegistration> ForwardSignals(int pid)
    {
        int[] signals = [1, 2, 3, 10, 12, 15]; // SIGHUP SIGINT SIGQUIT SIGUSR1 SIGUSR2 SIGTERM
        var list = new List<PosixSignalRegistration>();
        foreach (var sig in signals)
        {
            list.Add(PosixSignalRegistration.Create((PosixSignal)sig, context =>
            {
                context.Cancel = true;
                Libc.kill(pid, sig);
            }));
        }
        return list;
    }

    /// <summary>
    /// `delete`: removes a stopped (or created) container: poststop hooks, cgroup, state. A running or
    /// paused one needs <paramref name="force"/>, which kills it first.
    /// </summary>
    public void Delete(string id, bool force = false)
    {
        ContainerRecord record;
        try
        {
            record = Store.Load(id);
        }
        catch (RuncException) when (force && Directory.Exists(Store.DirOf(id)))
        {
            // A half-written container (crashed create): remove what is there.
            Store.Remove(id);
            return;
        }
        var status = StatusOf(record);
        var cgroup = CgroupOf(record);
        if (status is "running" or "paused" && !force)
        {
            throw new RuncException($"cannot delete container {id} that is not stopped: {status}");
        }
        if (status != "stopped")
        {
            if (status == "paused")
            {
                cgroup?.Thaw();
            }
            foreach (var pid in cgroup?.Pids() ?? [])
            {
                Libc.kill(pid, 9);
            }
            Libc.kill(record.Pid, 9);
            if (!WaitGone(record.Pid, 10_000))
            {
                throw new RuncException($"container {id}: the init (pid {record.Pid}) did not exit after SIGKILL");
            }
        }
        if (record.Started || status != "created")
        {
            foreach (var (hook, i) in (record.Config.Hooks?.Poststop ?? []).Select((h, i) => (h, i)))
            {
                try
                {
                    HookRunner.Run("poststop", i, hook, StateJson(record, "stopped"));
                }
                catch (RuncException e)
                {
                    Warn(e.Message);
                }
            }
        }
        try
        {
            cgroup?.Destroy();
        }
        catch (Exception e) when (e is IOException or RuncException or UnauthorizedAccessException)
        {
            throw new RuncException($"delete {id}: remove its cgroup: {e.Message}");
        }
        Store.Remove(id);
    }
}
