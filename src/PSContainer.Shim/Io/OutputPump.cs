using PSContainer.Shim.Processes;

namespace PSContainer.Shim.Io;

/// <summary>
/// Copies one output fd (a pipe or a pty master) to its sinks on a thread of its own, with blocking
/// reads: the simplest way to never lose data and to push back on the writer when the sinks are
/// slow. It owns the fd and closes it at the end of the stream.
/// </summary>
internal sealed class OutputPump
{
    private const int BufferSize = 32 * 1024;

    private readonly FileDescriptor _fd;
    private readonly OutputStream _stream;
    private readonly Action<OutputStream, ReadOnlySpan<byte>> _onData;
    private readonly Action<OutputStream> _onEnd;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public OutputPump(FileDescriptor fd, OutputStream stream, Action<OutputStream, ReadOnlySpan<byte>> onData, Action<OutputStream> onEnd)
    {
        _fd = fd;
        _stream = stream;
        _onData = onData;
        _onEnd = onEnd;
        var thread = new Thread(Run, maxStackSize: 256 * 1024) { IsBackground = true, Name = $"io-{stream}" };
        thread.Start();
    }

    /// <summary>Completes at the end of the stream (every writer closed it).</summary>
    public Task Completion => _done.Task;

    private void Run()
    {
        // On the pinned object heap: the buffer stays pinned for as long as read() blocks (the
        // container's whole idle life), and a pinned array among ordinary objects would keep the
        // GC from compacting and releasing its region (IdleTrim found ~2 MiB kept per shim).
        var buffer = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);
        try
        {
            int n;
            while ((n = _fd.Read(buffer)) > 0)
            {
                _onData(_stream, buffer.AsSpan(0, n));
            }
        }
#pragma warning disable CA1031 // a failing sink must not kill the shim; the process keeps running
        catch (Exception e)
        {
            ShimLog.Error($"output {_stream}: {e.Message}");
        }
#pragma warning restore CA1031
        finally
        {
            try
            {
                _onEnd(_stream);
            }
#pragma warning disable CA1031
            catch (Exception e)
            {
                ShimLog.Error($"output {_stream} end: {e.Message}");
            }
#pragma warning restore CA1031
            _fd.Dispose();
            _done.TrySetResult();
        }
    }
}
