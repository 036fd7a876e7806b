using System.Diagnostics;
using PSContainer.Module.Client;
using PSContainer.TestSupport;

namespace PSContainer.Module.IntegrationTests;

/// <summary>
/// A real psc-engine from PSC_BIN with its own temporary data root, exec root and socket, so the
/// tests never touch the machine's engine. It is started on first use (so a non-root run that
/// skips every test starts nothing) and stopped by PID, its containers removed first.
/// </summary>
public sealed partial class EngineProcess : IAsyncDisposable, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Process? _process;
    private string? _root;
    private EngineEndpoint? _endpoint;
    private StreamWriter? _log;
    private bool _disposed;

    /// <summary>
    /// This engine's --network-prefix ("m" + five random characters): its bridges, veths and
    /// iptables chains are named from it, so they never meet another engine's and are removed at the end.
    /// </summary>
    public string NetworkPrefix { get; } = "m" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()[..5];

    /// <summary>More psc-engine flags (e.g. --registry-certs-dir), set before <see cref="StartAsync"/>.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    public string Log => _root is null ? "" : File.ReadAllText(Path.Combine(_root, "engine.log"));

    public async Task<EngineEndpoint> StartAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_endpoint is not null)
            {
                return _endpoint;
            }
            _root = Directory.CreateTempSubdirectory("psc-module-it-").FullName;
            var socket = Path.Combine(_root, "engine.sock");
            var start = new ProcessStartInfo(Path.Combine(TestEnvironment.BinDir, "psc-engine"))
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (var arg in new[] { "--data-root", Path.Combine(_root, "data"), "--exec-root", Path.Combine(_root, "run"), "--host", "unix://" + socket,
                "--network-prefix", NetworkPrefix })
            {
                start.ArgumentList.Add(arg);
            }
            foreach (var arg in ExtraArguments)
            {
                start.ArgumentList.Add(arg);
            }
            if (Runtime() is { } runtime)
            {
                start.ArgumentList.Add("--runtime");
                start.ArgumentList.Add(runtime);
            }
            _process = Process.Start(start) ?? throw new InvalidOperationException("psc-engine did not start");
            var log = _log = File.CreateText(Path.Combine(_root, "engine.log"));
            log.AutoFlush = true;
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
            _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
            _process.BeginErrorReadLine();
            _process.BeginOutputReadLine();
            var endpoint = EngineEndpoint.Parse("unix://" + socket);
            // Start-up is waited for by polling the API, bounded so a broken engine fails the test instead of hanging it.
            for (var attempt = 0; attempt < 300; attempt++)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"psc-engine exited with {_process.ExitCode}: {Log}");
                }
                if (File.Exists(socket))
                {
                    try
                    {
                        using var client = new EngineClient(endpoint);
                        await client.PingAsync(CancellationToken.None);
                        _endpoint = endpoint;
                        return endpoint;
                    }
                    catch (EngineException)
                    {
                        // Not listening yet.
                    }
                }
                await Task.Delay(100);
            }
            throw new TimeoutException($"psc-engine did not answer on {socket}: {Log}");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The runtime under the engine: by default the whole project chain (psc-runc next to
    /// psc-engine); PSC_MODULE_IT_RUNTIME names a runc-compatible runtime to use instead
    /// (/usr/sbin/runc, the reference, tells a module bug from a runtime bug).
    /// </summary>
    private static string? Runtime()
    {
        var chosen = Environment.GetEnvironmentVariable("PSC_MODULE_IT_RUNTIME");
        return string.IsNullOrEmpty(chosen) || chosen == "psc-runc" ? null : chosen;
    }

    /// <summary>xunit 2 disposes class fixtures through IDisposable only.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_process is not null)
        {
            if (_endpoint is not null && !_process.HasExited)
            {
                using var client = new EngineClient(_endpoint);
                try
                {
                    foreach (var container in await client.ListContainersAsync(true, null, CancellationToken.None))
                    {
                        await client.RemoveContainerAsync(container.Id, force: true, volumes: true, CancellationToken.None);
                    }
                }
                catch (EngineException)
                {
                    // Best effort: the engine is going away anyway.
                }
            }
            if (!_process.HasExited)
            {
                // SIGTERM to our own child by PID; the engine shuts down cleanly on it.
                Kill(_process.Id, 15);
                if (!_process.WaitForExit(15_000))
                {
                    _process.Kill();
                    await _process.WaitForExitAsync();
                }
            }
            _process.Dispose();
            HostNetworkCleanup.RemoveAll(NetworkPrefix);
        }
        if (_log is not null)
        {
            lock (_log)
            {
                _log.Dispose();
            }
        }
        if (_root is not null)
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // A mount the engine failed to clean up keeps the directory; the log says why.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        _gate.Dispose();
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
