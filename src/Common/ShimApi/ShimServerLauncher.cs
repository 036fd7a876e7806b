using System.Runtime.InteropServices;
using System.Text;
using PSContainer.Interop.Linux;

namespace PSContainer.ShimApi;

/// <summary>
/// Starts the long-lived shim server (`psc-shim serve`) directly, without the `psc-shim start`
/// process in between: one .NET process start per container instead of two. What `start` does
/// for other callers is done here for the engine: a new session (PosixSpawner), stdin from
/// /dev/null, stdout and stderr to &lt;bundle&gt;/shim.log, the runtime knobs of a server in its
/// environment, and a wait for "ready" on an inherited pipe (written once its socket listens). The
/// server moves itself out of the engine's cgroups. It stays the engine's child, so
/// <see cref="ChildReaper"/> collects it when it exits.
/// </summary>
public static class ShimServerLauncher
{
    /// <summary>The longest a server may take to say it is ready (a loaded 2-core machine starts .NET in well under a second).</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Starts the server for <paramref name="options"/> (or finds the live one) and returns its address.</summary>
    public static async Task<string> StartAsync(ShimStartOptions options, CancellationToken cancellationToken = default)
    {
        var socketDirectory = options.SocketDirectory ?? ShimPaths.DefaultSocketDirectory;
        var socket = ShimPaths.SocketPath(socketDirectory, options.ContainerId, options.Bundle);
        var address = ShimPaths.AddressScheme + socket;
        if (File.Exists(socket) && await IsAliveAsync(socket, options.ContainerId, cancellationToken).ConfigureAwait(false))
        {
            return address;
        }
        Directory.CreateDirectory(socketDirectory);
        PscTrace.Step("engine.shim.spawn", options.ContainerId);
        var (pid, ready) = Spawn(options);
        using (ready)
        {
            string answer;
            try
            {
                answer = await Task.Run(() => ReadUntilEnd(ready, ReadyTimeout), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Libc.kill(pid, 9);
                throw new InvalidOperationException($"the shim server for {options.ContainerId} (pid {pid}) did not say it was ready within {ReadyTimeout.TotalSeconds:0} s; killed it");
            }
            if (answer != "ready\n")
            {
                throw new InvalidOperationException($"the shim server for {options.ContainerId} did not come up{(answer.Length > 0 ? ": " + answer.Trim() : "")}{Tail(Path.Combine(options.Bundle, ShimPaths.ShimLogFile))}");
            }
        }
        return address;
    }

    /// <summary>
    /// Starts a spare server (serve --spare-socket) with the engine-wide options of
    /// <paramref name="template"/> (runtime, its root, events address, socket directory; its id and
    /// bundle are not used), waits until it is ready and connects to it.
    /// </summary>
    public static async Task<SpareShim> StartSpareAsync(ShimStartOptions template, CancellationToken cancellationToken = default)
    {
        var socketDirectory = template.SocketDirectory ?? ShimPaths.DefaultSocketDirectory;
        Directory.CreateDirectory(socketDirectory);
        var socket = Path.Combine(socketDirectory, $"spare-{Guid.NewGuid():N}"[..22] + ".sock");
        var args = new List<string> { "serve", "--spare-socket", socket, "--socket-dir", socketDirectory };
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                args.Add(name);
                args.Add(value);
            }
        }
        Add("--address", template.EventsAddress);
        Add("--runtime", template.Runtime);
        Add("--runtime-root", template.RuntimeRoot);
        args.AddRange(["--ready-fd", "3"]);
        var log = Path.ChangeExtension(socket, ".log");
        var (pid, ready) = Spawn(template.ShimPath, args, log);
        try
        {
            using (ready)
            {
                string answer;
                try
                {
                    answer = await Task.Run(() => ReadUntilEnd(ready, ReadyTimeout), cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    throw new InvalidOperationException($"the spare shim (pid {pid}) did not say it was ready within {ReadyTimeout.TotalSeconds:0} s; killed it");
                }
                if (answer != "ready\n")
                {
                    throw new InvalidOperationException($"the spare shim (pid {pid}) did not come up{(answer.Length > 0 ? ": " + answer.Trim() : "")}{Tail(log)}");
                }
            }
            var connection = await ShimConnection.OpenAsync(socket, "spare", cancellationToken).ConfigureAwait(false);
            return new SpareShim(pid, socket, connection);
        }
        catch
        {
            // A spare that is not handed out (failed, timed out, or the engine stopping while it came
            // up) must neither live on unbound nor leave its socket and log behind.
            Libc.kill(pid, 9);
            File.Delete(socket);
            File.Delete(log);
            throw;
        }
    }

    private static (int Pid, SafeFdHandle Ready) Spawn(ShimStartOptions options) =>
        Spawn(options.ShimPath, [.. options.Arguments("serve"), "--ready-fd", "3"], Path.Combine(options.Bundle, ShimPaths.ShimLogFile));

    private static (int Pid, SafeFdHandle Ready) Spawn(string shimPath, IReadOnlyList<string> args, string log)
    {
        var environment = PosixSpawner.CurrentEnvironment();
        ShimServerKnobs.AddMissing(environment.ContainsKey, (name, value) => environment[name] = value);
        var logFd = Libc.open(log, Libc.O_WRONLY | 0x400 /* O_APPEND */ | Libc.O_CREAT | Libc.O_CLOEXEC, 0x1A4 /* 0644 */);
        if (logFd < 0)
        {
            throw SyscallException.FromLastError("open", log);
        }
        var devNull = -1;
        var pipe = (Read: -1, Write: -1);
        try
        {
            devNull = Libc.Check(Libc.open("/dev/null", Libc.O_RDONLY | Libc.O_CLOEXEC, 0), "open", "/dev/null");
            pipe = Pipe();
            var pid = PosixSpawner.Spawn(shimPath, args, environment, devNull, logFd, logFd, [(pipe.Write, 3)]);
            ChildReaper.Shared.Watch(pid);
            var ready = new SafeFdHandle(pipe.Read);
            pipe.Read = -1;
            return (pid, ready);
        }
        finally
        {
            foreach (var fd in new[] { logFd, devNull, pipe.Read, pipe.Write })
            {
                if (fd >= 0)
                {
                    Libc.close(fd);
                }
            }
        }
    }

    private static unsafe (int Read, int Write) Pipe()
    {
        var fds = stackalloc int[2];
        Libc.Check(Libc.pipe2(fds, Libc.O_CLOEXEC), "pipe2", "shim ready pipe");
        return (fds[0], fds[1]);
    }

    /// <summary>Everything the server writes to the ready pipe until it closes it (or exits).</summary>
    private static unsafe string ReadUntilEnd(SafeFdHandle fd, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var text = new StringBuilder();
        var buffer = stackalloc byte[256];
        while (true)
        {
            var left = deadline - Environment.TickCount64;
            if (left <= 0)
            {
                throw new TimeoutException();
            }
            var poll = new Libc.PollFd { Fd = fd.Fd, Events = Libc.POLLIN };
            var rc = Libc.poll(&poll, 1, (int)Math.Min(left, int.MaxValue));
            if (rc < 0)
            {
                if (Marshal.GetLastPInvokeError() == Errno.EINTR)
                {
                    continue;
                }
                throw SyscallException.FromLastError("poll", "shim ready pipe");
            }
            if (rc == 0)
            {
                continue;
            }
            var n = Libc.read(fd.Fd, buffer, 256);
            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == Errno.EINTR)
                {
                    continue;
                }
                throw SyscallException.FromLastError("read", "shim ready pipe");
            }
            if (n == 0)
            {
                return text.ToString();
            }
            text.Append(Encoding.UTF8.GetString(buffer, (int)n));
        }
    }

    private static async Task<bool> IsAliveAsync(string socket, string containerId, CancellationToken cancellationToken)
    {
        try
        {
            await using var client = await ShimClient.ConnectAsync(socket, containerId, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException or ShimException or ShimProtocolException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            return false;
        }
    }

    private static string Tail(string log)
    {
        try
        {
            var lines = File.ReadLines(log).TakeLast(5).ToList();
            return lines.Count == 0 ? "" : "\n" + string.Join('\n', lines);
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>An fd this class owns until disposed.</summary>
    private sealed class SafeFdHandle(int fd) : IDisposable
    {
        public int Fd { get; private set; } = fd;

        public void Dispose()
        {
            if (Fd >= 0)
            {
                Libc.close(Fd);
                Fd = -1;
            }
        }
    }
}
