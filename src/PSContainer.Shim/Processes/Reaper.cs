using System.Runtime.InteropServices;
using PSContainer.Interop.Linux;

namespace PSContainer.Shim.Processes;

/// <summary>
/// The only place in the shim that collects children it did not hand to someone else: one thread
/// blocked in waitid. The shim is a child subreaper, so besides the runtime processes it spawns it
/// also collects the container's init and exec processes and anything else reparented to it;
/// statuses nobody has asked for yet are kept (bounded), which is how an exit that happens before
/// its pid is known (the early-exit race) is not lost.
///
/// While psc-runc's library runs in this process (<see cref="HostedCall"/>), the library waits for
/// its own helpers (psc-nsexec's stage 0, hooks) with waitpid(pid). So the loop first looks at an
/// exited child without collecting it (WNOWAIT) and, during a hosted call, collects only pids the
/// shim is waiting for; any other exit is left until the call is over (the library has collected
/// its own by then; what is left, such as an init that exited during create, is collected and kept).
/// </summary>
internal sealed class Reaper
{
    private const int MaxUnclaimed = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<int, TaskCompletionSource<int>> _waiters = [];
    private readonly Dictionary<int, int> _unclaimed = [];
    private readonly Queue<int> _unclaimedOrder = new();
    private readonly AutoResetEvent _childSpawned = new(false);
    private readonly AutoResetEvent _gateChanged = new(false);
    private int _hostedCalls;

    public Reaper()
    {
        var thread = new Thread(Loop, maxStackSize: 128 * 1024) { IsBackground = true, Name = "reaper" };
        thread.Start();
    }

    /// <summary>Call after each successful spawn, so the loop stops idling on ECHILD.</summary>
    public void ChildSpawned() => _childSpawned.Set();

    /// <summary>Marks a call into the hosted runtime library; dispose when it returns.</summary>
    public IDisposable HostedCall()
    {
        lock (_gate)
        {
            _hostedCalls++;
        }
        _childSpawned.Set(); // the call may spawn: stop idling on ECHILD
        return new HostedScope(this);
    }

    /// <summary>The raw wait status of <paramref name="pid"/>, now or when it exits.</summary>
    public Task<int> WaitAsync(int pid)
    {
        lock (_gate)
        {
            if (_unclaimed.Remove(pid, out var status))
            {
                return Task.FromResult(status);
            }
            if (!_waiters.TryGetValue(pid, out var waiter))
            {
                waiter = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters[pid] = waiter;
            }
            _gateChanged.Set();
            return waiter.Task;
        }
    }

    private void EndHostedCall()
    {
        lock (_gate)
        {
            _hostedCalls--;
        }
        _gateChanged.Set();
        _childSpawned.Set(); // the call may have left children (the container's init)
    }

    private bool HostedCallsActive()
    {
        lock (_gate)
        {
            return _hostedCalls > 0;
        }
    }

    private unsafe void Loop()
    {
        var info = stackalloc byte[Libc.SigInfoSize];
        while (true)
        {
            new Span<byte>(info, Libc.SigInfoSize).Clear();
            if (Libc.waitid(Libc.P_ALL, 0, info, Libc.WEXITED | Libc.WNOWAIT) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.ECHILD)
                {
                    // A hosted call spawns without telling: look again soon while one runs; its end wakes us too.
                    _childSpawned.WaitOne(HostedCallsActive() ? 5 : Timeout.Infinite);
                }
                else if (errno != Errno.EINTR)
                {
                    ShimLog.Error($"waitid: {Errno.Name(errno)}");
                    Thread.Sleep(100);
                }
                continue;
            }
            var pid = *(int*)(info + Libc.SigInfoPidOffset);
            if (pid <= 0)
            {
                continue;
            }
            if (!MayCollect(pid))
            {
                // The hosted library collects this one itself, or it is collected once the call is over.
                _gateChanged.WaitOne(5);
                continue;
            }
            int status;
            if (Libc.waitpid(pid, &status, Libc.WNOHANG) == pid)
            {
                Deliver(pid, status);
            }
        }
    }

    private bool MayCollect(int pid)
    {
        lock (_gate)
        {
            return _hostedCalls == 0 || _waiters.ContainsKey(pid);
        }
    }

    private void Deliver(int pid, int status)
    {
        TaskCompletionSource<int>? waiter;
        lock (_gate)
        {
            // A waiter is completed outside the lock; a status nobody waits for yet is kept.
            if (!_waiters.Remove(pid, out waiter))
            {
                _unclaimed[pid] = status;
                _unclaimedOrder.Enqueue(pid);
                while (_unclaimedOrder.Count > MaxUnclaimed)
                {
                    var old = _unclaimedOrder.Dequeue();
                    if (old != pid)
                    {
                        _unclaimed.Remove(old);
                    }
                }
            }
        }
        waiter?.TrySetResult(status);
    }

    private sealed class HostedScope(Reaper reaper) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                reaper.EndHostedCall();
            }
        }
    }
}
