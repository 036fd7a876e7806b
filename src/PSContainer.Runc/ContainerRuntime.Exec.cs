using System.Globalization;
using System.Text;
using PSContainer.Interop.Linux;
using PSContainer.Oci;
using PSContainer.Runc.Container;
using PSContainer.Runc.Process;

namespace PSContainer.Runc;

public sealed partial class ContainerRuntime
{
    /// <summary>
    /// `exec`: runs <paramref name="process"/> in a created or running container. Returns the new
    /// process's pid with <see cref="ExecOptions.Detach"/>, otherwise waits and returns its exit
    /// status. The process is a child of the caller (CLONE_PARENT).
    /// </summary>
    public int Exec(string id, OciProcess process, ExecOptions options)
    {
        var record = Store.Load(id);
        var status = StatusOf(record);
        if (status is not ("running" or "created"))
        {
            throw new RuncException($"cannot exec in a {status} container");
        }
        var errors = new List<string>();
        SpecValidator.ValidateProcess(process, "process", errors);
        if (errors.Count > 0)
        {
            throw new RuncException(errors[0]);
        }
        var pid = Launch(record, process, options);
        if (options.PidFile is { } pidFile)
        {
            StateStore.WriteAtomically(Path.GetFullPath(pidFile), Encoding.ASCII.GetBytes(pid.ToString(CultureInfo.InvariantCulture)));
        }
        if (options.Detach)
        {
            return pid;
        }
        var registrations = ForwardSignals(pid);
        try
        {
            return WaitChild(pid);
        }
        finally
        {
            foreach (var r in registrations)
            {
                r.Dispose();
            }
        }
    }

    private int Launch(ContainerRecord record, OciProcess process, ExecOptions options)
    {
        var firstFd = 3 + options.PreserveFds;
        var consoleFd = firstFd + 2;
        System.Net.Sockets.Socket? console = null;
        try
        {
            var inherit = new List<FdMapping>();
            AddStdio(inherit, options.Stdio);
            if (process.Terminal == true)
            {
                console = ConnectConsole(options.ConsoleSocket ?? throw new RuncException("exec with a terminal needs --console-socket"));
                inherit.Add(new((int)console.Handle, consoleFd));
            }
            var (seccomp, flags) = CompileSeccomp(record.Config);
            var plan = PlanBuilder.BuildExec(new ExecPlanInputs
            {
                Spec = record.Config,
                Process = process,
                InitPid = record.Pid,
                NamespacesToJoin = record.Config.Linux?.Namespaces?.Select(n => n.Type).ToList() ?? [],
                FirstRuntimeFd = firstFd,
                ConsoleSocketFd = console is null ? null : consoleFd,
                Home = Passwd.HomeOf(record.Rootfs, process.User.Uid),
                SeccompProgram = seccomp,
                SeccompFlags = flags,
                CapabilityNumber = _options.CapabilityNumber,
                Lsm = HostLsm.Value,
            });
            using var stage = StageZero.Start(_options.NsexecPath, plan, firstFd, inherit);
            console?.Dispose();
            console = null;
            return Drive(stage, record, CgroupOf(record), untilReady: false);
        }
        finally
        {
            console?.Dispose();
        }
    }
}
