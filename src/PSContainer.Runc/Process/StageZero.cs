using System.Runtime.InteropServices;
using System.Text;
using PSContainer.Interop.Linux;

namespace PSContainer.Runc.Process;

/// <summary>
/// A running psc-nsexec: started with posix_spawn (no managed code between fork and exec), given
/// the plan in a sealed memfd and one end of a SOCK_SEQPACKET sync socket.
/// </summary>
public sealed unsafe class StageZero : IDisposable
{
    private int _sync;

    private StageZero(int pid, int sync, Plan plan)
    {
        Pid = pid;
        _sync = sync;
        Plan = plan;
    }

    /// <summary>The stage-0 process (it exits once the init is cloned).</summary>
    public int Pid { get; }

    public Plan Plan { get; }

    /// <summary>
    /// Starts psc-nsexec. <paramref name="inherit"/> maps the runtime's fds to the numbers the plan
    /// uses; the plan and sync fds go to <paramref name="firstFd"/> and firstFd + 1, which the caller
    /// keeps free in the plan's numbering.
    /// </summary>
    public static StageZero Start(string nsexecPath, Plan plan, int firstFd, IReadOnlyList<FdMapping> inherit)
    {
        var exe = SealedExecutable.PathOf(nsexecPath);
        var planFd = Libc.Check(Libc.memfd_create("psc-plan", Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING), "memfd_create", "psc-plan");
        var toClose = new List<int> { planFd };
        try
        {
            SealedExecutable.WriteAll(planFd, plan.Serialize(), "write the plan");
            Libc.Check(Libc.fcntl(planFd, Libc.F_ADD_SEALS, Libc.F_SEAL_SEAL | Libc.F_SEAL_SHRINK | Libc.F_SEAL_GROW | Libc.F_SEAL_WRITE),
                "seal", "psc-plan");
            var pair = stackalloc int[2];
            Libc.Check(Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC, 0, pair), "socketpair", "sync socket");
            toClose.Add(pair[1]);
            var mapping = new List<FdMapping>(inherit) { new(planFd, firstFd), new(pair[1], firstFd + 1) };
            var pid = Spawner.Spawn(exe, [exe, $"{firstFd}", $"{firstFd + 1}"], [], mapping);
            return new StageZero(pid, pair[0], plan);
        }
        finally
        {
            foreach (var fd in toClose)
            {
                Libc.close(fd);
            }
        }
    }

    /// <summary>
    /// Blocks for the next message; <see cref="SyncKind.Closed"/> once psc-nsexec is gone or has exec'd.
    /// An fd that came with the message (SCM_RIGHTS, close-on-exec) is in <see cref="SyncMessage.Fd"/>;
    /// the caller owns it.
    /// </summary>
    public SyncMessage Receive()
    {
        var buffer = stackalloc byte[256];
        var control = stackalloc byte[64];
        while (true)
        {
            var iov = new Libc.IoVec { Base = buffer, Length = 256 };
            var msg = new Libc.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = 64 };
            var n = Libc.recvmsg(_sync, &msg, Libc.MSG_CMSG_CLOEXEC);
            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == Errno.EINTR)
                {
                    continue;
                }
                throw SyscallException.FromLastError("recvmsg", "the psc-nsexec sync socket");
            }
            var fd = -1;
            var header = (Libc.CMsgHdr*)control;
            if (msg.ControlLength >= (nuint)(sizeof(Libc.CMsgHdr) + sizeof(int)) && header->Level == Libc.SOL_SOCKET && header->Type == Libc.SCM_RIGHTS)
            {
                fd = *(int*)(control + sizeof(Libc.CMsgHdr));
            }
            if (n == 0)
            {
                return new SyncMessage(SyncKind.Closed);
            }
            var message = SyncMessage.Parse(Encoding.ASCII.GetString(buffer, (int)n));
            return message with { Fd = fd };
        }
    }

    /// <summary>Lets the process that waits (after PID or HOOK) continue.</summary>
    public void Go()
    {
        byte go = (byte)'G';
        if (Libc.send(_sync, &go, 1, Libc.MSG_NOSIGNAL) != 1)
        {
            throw SyscallException.FromLastError("send", "the psc-nsexec sync socket");
        }
    }

    /// <summary>Reaps the stage-0 process (it exits right after the clone).</summary>
    public int WaitStageExit()
    {
        int status;
        while (Libc.waitpid(Pid, &status, 0) < 0)
        {
            if (Marshal.GetLastPInvokeError() != Errno.EINTR)
            {
                return -1;
            }
        }
        return Libc.ExitCodeFromWaitStatus(status);
    }

    /// <summary>The error a failed step means, naming the step ("step 12 mount proc on ...: EPERM (...)").</summary>
    public RuncException Failure(SyncMessage message) => FailureOf(Plan, message);

    /// <summary>The error a failed step of <paramref name="plan"/> means, with the step's hint when its errno matches.</summary>
    public static RuncException FailureOf(Plan plan, SyncMessage message)
    {
        var index = (int)message.Value;
        var step = index >= 0 && index < plan.Steps.Count ? plan.Steps[index] : null;
        if (step is { Op: PlanOp.Exec } && message.Errno is Errno.ENOENT or Errno.EACCES)
        {
            var name = step.Text(0);
            var what = name.Contains('/', StringComparison.Ordinal)
                ? $"exec: \"{name}\": {(message.Errno == Errno.ENOENT ? "no such file or directory" : "permission denied")}"
                : $"exec: \"{name}\": executable file not found in $PATH";
            return new RuncException($"unable to start container process: {what}", 1); // runc exits 1 here; engines map the message to 127
        }
        var error = new SyscallException(plan.Describe(index), null, message.Errno);
        var hint = step is { Hint: { } why } && step.HintErrno == message.Errno ? ": " + why : "";
        return new RuncException($"unable to start container process: {error.Message}{hint}", error);
    }

    public void Dispose()
    {
        if (_sync >= 0)
        {
            Libc.close(_sync);
            _sync = -1;
        }
    }
}
