using System.Runtime.InteropServices;
using PSContainer.Interop.Linux;
using PSContainer.Oci;
using PSContainer.Runc.Process;

namespace PSContainer.Runc.Container;

/// <summary>
/// Runs OCI hooks from the runtime's namespaces: the container state as JSON on stdin, killed at
/// its timeout. Which failures are fatal is the caller's decision (the spec differs per phase).
/// </summary>
public static unsafe class HookRunner
{
    /// <summary>Runs each hook in order; the first failure throws, naming the phase and the hook.</summary>
    public static void RunAll(string phase, IEnumerable<Hook>? hooks, byte[] stateJson)
    {
        var i = 0;
        foreach (var hook in hooks ?? [])
        {
            Run(phase, i++, hook, stateJson);
        }
    }

    public static void Run(string phase, int index, Hook hook, byte[] stateJson)
    {
        var what = $"{phase} hook #{index} {hook.Path}";
        var fds = stackalloc int[2];
        Libc.Check(Libc.pipe2(fds, Libc.O_CLOEXEC), "pipe2", what);
        int pid;
        try
        {
            var argv = hook.Args is { Count: > 0 } args ? args : [hook.Path];
            pid = Spawner.Spawn(hook.Path, argv, hook.Env ?? [], [new(fds[0], 0)]);
        }
        catch (SyscallException e)
        {
            Libc.close(fds[1]);
            throw new RuncException($"{what}: {e.Message}", e);
        }
        finally
        {
            Libc.close(fds[0]);
        }
        fixed (byte* p = stateJson)
        {
            // A hook that does not read its stdin is fine: EPIPE is not its failure.
            _ = Libc.write(fds[1], p, (nuint)stateJson.Length);
        }
        Libc.close(fds[1]);
        var status = Wait(pid, hook.Timeout, what);
        if (status != 0)
        {
            throw new RuncException($"{what} failed: exit status {status}");
        }
    }

    /// <summary>Waits for a child, killing it once <paramref name="timeoutSeconds"/> passed; returns its shell-style status.</summary>
    private static int Wait(int pid, int? timeoutSeconds, string what)
    {
        if (timeoutSeconds is > 0 && Libc.pidfd_open(pid) is var pidfd and >= 0)
        {
            try
            {
                var poll = new Libc.PollFd { Fd = pidfd, Events = Libc.POLLIN };
                int rc;
                do
                {
                    rc = Libc.poll(&poll, 1, timeoutSeconds.Value * 1000);
                }
                while (rc < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
                if (rc == 0)
                {
                    Libc.kill(pid, 9);
                    Reap(pid);
                    throw new RuncException($"{what} timed out after {timeoutSeconds} s");
                }
            }
            finally
            {
                Libc.close(pidfd);
            }
        }
        return Reap(pid);
    }

    private static int Reap(int pid)
    {
        int status;
        while (Libc.waitpid(pid, &status, 0) < 0)
        {
            if (Marshal.GetLastPInvokeError() != Errno.EINTR)
            {
                throw SyscallException.FromLastError("waitpid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return Libc.ExitCodeFromWaitStatus(status);
    }
}
