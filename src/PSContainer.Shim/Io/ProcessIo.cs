using PSContainer.Interop.Linux;
using PSContainer.Shim.Processes;
using PSContainer.Shim.Runtime;

namespace PSContainer.Shim.Io;

/// <summary>
/// The stdio of one container process. Without a terminal: pipes for stdout and stderr (and stdin
/// when asked), whose child ends go to the runtime, which hands them to the process. With a
/// terminal: the runtime gets /dev/null and sends the pty master over a console socket.
/// </summary>
internal sealed class ProcessIo : IDisposable
{
    private readonly List<FileDescriptor> _childEnds = [];
    private ConsoleSocket? _console;
    private FileDescriptor? _stdin;
    private readonly Lock _stdinGate = new();

    private ProcessIo(bool terminal) => Terminal = terminal;

    public bool Terminal { get; }

    /// <summary>What the runtime command gets as fds 0, 1, 2.</summary>
    public RuntimeStdio RuntimeStdio { get; private set; } = null!;

    public string? ConsoleSocketPath => _console?.Path;

    public FileDescriptor? StdoutRead { get; private set; }

    public FileDescriptor? StderrRead { get; private set; }

    /// <summary>The pty master (terminal only): output and input both.</summary>
    public FileDescriptor? PtyMaster { get; private set; }

    public static ProcessIo Create(bool terminal, bool openStdin, string consoleSocketPath)
    {
        var io = new ProcessIo(terminal);
        try
        {
            var devNull = FileDescriptor.DevNull();
            io._childEnds.Add(devNull);
            if (terminal)
            {
                io._console = ConsoleSocket.Listen(consoleSocketPath);
                io.RuntimeStdio = new RuntimeStdio(devNull.Fd, devNull.Fd, devNull.Fd);
                return io;
            }
            var stdin = devNull;
            if (openStdin)
            {
                (stdin, io._stdin) = FileDescriptor.Pipe();
                io._childEnds.Add(stdin);
            }
            var (outRead, outWrite) = FileDescriptor.Pipe();
            io.StdoutRead = outRead;
            io._childEnds.Add(outWrite);
            var (errRead, errWrite) = FileDescriptor.Pipe();
            io.StderrRead = errRead;
            io._childEnds.Add(errWrite);
            io.RuntimeStdio = new RuntimeStdio(stdin.Fd, outWrite.Fd, errWrite.Fd);
            return io;
        }
        catch
        {
            io.Dispose();
            throw;
        }
    }

    /// <summary>Runs the runtime command; for a terminal, collects the pty master it sends.</summary>
    public async Task RunRuntimeAsync(Func<Task> runtime)
    {
        if (_console is null)
        {
            await runtime().ConfigureAwait(false);
            return;
        }
        using var cancel = new CancellationTokenSource();
        var master = _console.ReceiveMasterAsync(cancel.Token);
        try
        {
            await runtime().ConfigureAwait(false);
        }
        catch
        {
            await cancel.CancelAsync().ConfigureAwait(false);
            try
            {
                (await master.ConfigureAwait(false)).Dispose();
            }
            catch (OperationCanceledException)
            {
            }
            throw;
        }
        PtyMaster = await master.ConfigureAwait(false);
    }

    /// <summary>After the runtime exited: only the container process holds the child ends now.</summary>
    public void CloseChildEnds()
    {
        foreach (var fd in _childEnds)
        {
            fd.Dispose();
        }
        _childEnds.Clear();
        _console?.Dispose();
        _console = null;
    }

    public bool HasStdin
    {
        get
        {
            lock (_stdinGate)
            {
                return _stdin is not null || PtyMaster is not null;
            }
        }
    }

    /// <summary>Writes to the process's stdin; false if it is closed.</summary>
    public bool WriteStdin(ReadOnlySpan<byte> data)
    {
        FileDescriptor? target;
        lock (_stdinGate)
        {
            target = _stdin ?? PtyMaster;
        }
        if (target is null)
        {
            return false;
        }
        try
        {
            return target.WriteAll(data);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Closes stdin: EOF for a pipe; for a terminal, sends the EOF character (^D) as a tty would.</summary>
    public void CloseStdin()
    {
        lock (_stdinGate)
        {
            if (_stdin is not null)
            {
                _stdin.Dispose();
                _stdin = null;
            }
            else
            {
                PtyMaster?.WriteAll([4]);
            }
        }
    }

    public unsafe void Resize(ushort width, ushort height)
    {
        var master = PtyMaster ?? throw new InvalidOperationException("the process has no terminal");
        var size = new Libc.WinSize { Columns = width, Rows = height };
        Libc.Check(Libc.ioctl_winsize(master.Fd, Libc.TIOCSWINSZ, &size), "ioctl TIOCSWINSZ", $"pty master fd {master.Fd}");
    }

    public void Dispose()
    {
        CloseChildEnds();
        lock (_stdinGate)
        {
            _stdin?.Dispose();
            _stdin = null;
        }
        StdoutRead?.Dispose();
        StderrRead?.Dispose();
    }
}
