using System.Runtime.InteropServices;
using PSContainer.Interop.Linux;

namespace PSContainer.Shim.Processes;

/// <summary>
/// The only place in the shim that waits for children: one thread blocked in waitpid(-1). The shim
/// is a child subreaper, so besides the runtime processes it spawns it also collects the container's
/// init and exec processes (orphaned by the runtime) and anything else reparented to it; statuses
/// nobody has asked for yet are kept (bounded), which is how an exit that happens before its pid
/// is known (the early-exit race) is not lost.
/// </summary>
internal sealed class Reaper
{
    private const int MaxUnclaimed = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<int, TaskCompletionSource<int>> _waiters = [];
    private readonly Dictionary<int, int> _unclaimed = [];
    private readonly Queue<int> _unclaimedOrder = new();
    private readonly AutoResetEvent _childSpawned = new(false);

    public Reaper()
    {
        var thread = new Thread(Loop, maxStackSize: 128 * 1024) { IsBackground = true, Name = "reaper" };
        thread.Start();
    }

    /// <summary>Call after each successful spawn, so the loop stops idling on ECHILD.</summary>
    public void ChildSpawned() => _childSpawned.Set();

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
            return waiter.Task;
        }
    }

    private unsafe void Loop()
    {
        while (true)
        {
            int status;
            var pid = Libc.waitpid(-1, &status, 0);
            if (pid > 0)
            {
                Deliver(pid, status);
                continue;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.ECHILD)
            {
                _childSpawned.WaitOne();
            }
            else if (errno != Errno.EINTR)
            {
                ShimLog.Error($"waitpid: {Errno.Name(errno)}");
                Thread.Sleep(100);
            }
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
}
