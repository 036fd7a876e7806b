using System.Runtime.InteropServices;
using PSContainer.Interop.Linux;

namespace PSContainer.ShimApi;

/// <summary>
/// Collects the exit of children that a .NET process (the engine) spawned itself and nobody else
/// waits for, such as shim servers it starts directly: without this each one would stay a zombie
/// until the engine exits. One background thread polls a pidfd per child and collects exactly that
/// child (waitid P_PIDFD), so it never takes the status of a child that System.Diagnostics.Process
/// started and waits for.
/// </summary>
public sealed unsafe class ChildReaper
{
    public static readonly ChildReaper Shared = new();

    private readonly Lock _gate = new();
    private readonly List<(int Pid, int PidFd, Action<int>? OnExit)> _children = [];
    private int _wakeRead = -1, _wakeWrite = -1;
    private Thread? _thread;

    /// <summary>How many children are watched (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _children.Count;
            }
        }
    }

    /// <summary>Collects <paramref name="pid"/> (a child of this process) when it exits; then calls <paramref name="onExit"/> with its wait status.</summary>
    public void Watch(int pid, Action<int>? onExit = null)
    {
        var pidfd = Libc.pidfd_open(pid);
        if (pidfd < 0)
        {
            throw SyscallException.FromLastError("pidfd_open", $"pid {pid}");
        }
        // pidfds from pidfd_open are close-on-exec.
        lock (_gate)
        {
            EnsureThread();
            _children.Add((pid, pidfd, onExit));
        }
        Wake();
    }

    private void EnsureThread()
    {
        if (_thread is not null)
        {
            return;
        }
        var fds = stackalloc int[2];
        Libc.Check(Libc.pipe2(fds, Libc.O_CLOEXEC | Libc.O_NONBLOCK), "pipe2", "child reaper wake-up");
        _wakeRead = fds[0];
        _wakeWrite = fds[1];
        _thread = new Thread(Loop, maxStackSize: 256 * 1024) { IsBackground = true, Name = "child reaper" };
        _thread.Start();
    }

    private void Wake()
    {
        byte b = 1;
        _ = Libc.write(_wakeWrite, &b, 1); // a full pipe already means "wake up"
    }

    private void Loop()
    {
        var polls = new Libc.PollFd[16];
        var buffer = stackalloc byte[64];
        var info = stackalloc byte[Libc.SigInfoSize];
        while (true)
        {
            (int Pid, int PidFd, Action<int>? OnExit)[] children;
            lock (_gate)
            {
                children = [.. _children];
            }
            if (polls.Length < children.Length + 1)
            {
                polls = new Libc.PollFd[children.Length * 2 + 1];
            }
            polls[0] = new Libc.PollFd { Fd = _wakeRead, Events = Libc.POLLIN };
            for (var i = 0; i < children.Length; i++)
            {
                polls[i + 1] = new Libc.PollFd { Fd = children[i].PidFd, Events = Libc.POLLIN };
            }
            int rc;
            fixed (Libc.PollFd* p = polls)
            {
                rc = Libc.poll(p, (nuint)(children.Length + 1), -1);
            }
            if (rc < 0)
            {
                if (Marshal.GetLastPInvokeError() != Errno.EINTR)
                {
                    Thread.Sleep(100);
                }
                continue;
            }
            if (polls[0].Revents != 0)
            {
                while (Libc.read(_wakeRead, buffer, 64) > 0)
                {
                }
            }
            for (var i = 0; i < children.Length; i++)
            {
                if (polls[i + 1].Revents == 0)
                {
                    continue;
                }
                var child = children[i];
                new Span<byte>(info, Libc.SigInfoSize).Clear();
                // Only this child, and only once it has exited (readable pidfd).
                var collected = Libc.waitid(Libc.P_PIDFD, child.PidFd, info, Libc.WEXITED | Libc.WNOHANG) == 0;
                var status = collected ? WaitStatus(info) : -1;
                lock (_gate)
                {
                    _children.Remove(child);
                }
                Libc.close(child.PidFd);
                child.OnExit?.Invoke(status);
            }
        }
    }

    /// <summary>siginfo's si_code and si_status as waitpid's status word (exit code or signal).</summary>
    private static int WaitStatus(byte* info)
    {
        const int CLD_EXITED = 1;
        var code = *(int*)(info + 8);
        var status = *(int*)(info + 24);
        return code == CLD_EXITED ? (status & 0xff) << 8 : status & 0x7f;
    }
}
