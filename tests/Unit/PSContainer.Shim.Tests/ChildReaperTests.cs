using PSContainer.Interop.Linux;
using PSContainer.ShimApi;
using Xunit;

namespace PSContainer.Shim.Tests;

/// <summary>The engine's collector of the shim servers it spawns itself: exit statuses, no zombies.</summary>
public sealed class ChildReaperTests
{
    [Theory]
    [InlineData("exit 0", 0)]
    [InlineData("exit 42", 42 << 8)]
    [InlineData("kill -KILL $$", 9)]
    public async Task CollectsTheChildAndReportsItsWaitStatus(string script, int expectedStatus)
    {
        var reaper = new ChildReaper();
        var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pid = SpawnShell(script);
        reaper.Watch(pid, exited.SetResult);

        var status = await exited.Task.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(expectedStatus, status);
        Assert.False(Directory.Exists($"/proc/{pid}"), "the child is collected, not left a zombie");
        Assert.Equal(0, reaper.Count);
    }

    [Fact]
    public async Task WatchesSeveralChildrenAtOnce()
    {
        var reaper = new ChildReaper();
        var pids = Enumerable.Range(0, 5).Select(i => SpawnShell($"exit {i}")).ToList();
        var statuses = pids.Select(pid =>
        {
            var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            reaper.Watch(pid, exited.SetResult);
            return exited.Task;
        }).ToList();

        var results = await Task.WhenAll(statuses).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(Enumerable.Range(0, 5).Select(i => i << 8), results);
    }

    [Fact]
    public void WatchingANonChildPidThatDoesNotExistFails()
    {
        var error = Assert.Throws<SyscallException>(() => new ChildReaper().Watch(int.MaxValue - 1));
        Assert.Contains("pidfd_open", error.Message, StringComparison.Ordinal);
    }

    private static int SpawnShell(string script)
    {
        var devNull = Libc.open("/dev/null", Libc.O_RDWR | Libc.O_CLOEXEC, 0);
        try
        {
            return PosixSpawner.Spawn("/bin/sh", ["-c", script], PosixSpawner.CurrentEnvironment(), devNull, devNull, devNull, []);
        }
        finally
        {
            Libc.close(devNull);
        }
    }
}
