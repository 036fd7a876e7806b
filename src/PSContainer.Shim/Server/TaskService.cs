using System.Globalization;
using System.Text.RegularExpressions;
using PSContainer.Interop.Linux;
using PSContainer.Shim.Cgroups;
using PSContainer.Shim.Io;
using PSContainer.Shim.Processes;
using PSContainer.Shim.Runtime;
using PSContainer.ShimApi;

namespace PSContainer.Shim.Server;

/// <summary>
/// The container's life cycle behind the socket: create, start, exec, kill, wait, delete. State
/// changes go through one lifecycle lock; exits arrive from the reaper and are recorded (exit
/// file first, then Wait callers, then the event).
/// </summary>
internal sealed partial class TaskService(ShimConfig config, IOciRuntime runtime, Reaper reaper, EventPublisher events)
{
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly Dictionary<string, ShimProcess> _execs = [];
    private readonly TaskCompletionSource _shutdown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ShimProcess? _init;
    private JsonFileLog? _log;
    private OomCounter? _oom;
    private long _oomBaseline;
    private int _consoleSockets;

    /// <summary>Completes when a Shutdown was accepted.</summary>
    public Task ShutdownRequested => _shutdown.Task;

    public int InitPid => _init?.Pid ?? 0;

    public ShimProcess Find(string? execId)
    {
        if (execId is null)
        {
            return _init ?? throw ShimFailure.NotFound($"container {config.ContainerId} is not created");
        }
        lock (_execs)
        {
            return _execs.TryGetValue(execId, out var exec) ? exec : throw ShimFailure.NotFound($"exec {execId} not found in container {config.ContainerId}");
        }
    }

    public async Task<ShimResult> CreateAsync(CreateRequest request)
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_init is not null)
            {
                throw new ShimFailure(ShimErrorCode.AlreadyExists, $"container {config.ContainerId} is already created");
            }
            var logMaxSize = request.LogMaxSize ?? config.LogMaxSize;
            var logMaxFiles = request.LogMaxFiles ?? config.LogMaxFiles;
            if (logMaxSize < 0 || logMaxFiles < 1)
            {
                throw ShimFailure.Invalid($"log max size {logMaxSize} must be >= 0 and max files {logMaxFiles} >= 1");
            }
            PscTrace.Step("shim.create.begin", config.ContainerId);
            var pidFile = config.BundleFile(ShimPaths.InitPidFile);
            File.Delete(pidFile);
            var log = new JsonFileLog(request.LogPath ?? config.BundleFile(ShimPaths.ContainerLogFile), logMaxSize, logMaxFiles);
            var process = new ShimProcess(null, request.Terminal, request.OpenStdin, new AttachHub(keepUntilFirstReader: false));
            try
            {
                process.Io = ProcessIo.Create(request.Terminal, request.OpenStdin, NextConsoleSocket());
                await process.Io.RunRuntimeAsync(() => runtime.CreateAsync(config.ContainerId, config.Bundle, pidFile,
                    process.Io.ConsoleSocketPath, process.Io.RuntimeStdio)).ConfigureAwait(false);
                process.Io.CloseChildEnds();
                process.Pid = ReadPidFile(pidFile);
            }
            catch
            {
                process.Io?.Dispose();
                log.Dispose();
                throw;
            }
            _log = log;
            _init = process;
            _oom = OomCounter.ForProcess(process.Pid);
            _oomBaseline = _oom.Read();
            StartPumps(process, log);
            events.Publish(ShimEventType.TaskCreate, pid: process.Pid);
            _ = MonitorAsync(process);
            ShimLog.Info($"created {config.ContainerId}, init pid {process.Pid}");
            PscTrace.Step("shim.create.end", config.ContainerId);
            return new PidResult(process.Pid);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async Task<ShimResult> StartAsync(StartRequest request)
    {
        if (request.ExecId is not null)
        {
            return await StartExecAsync(request.ExecId).ConfigureAwait(false);
        }
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            var init = Find(null);
            if (init.Status != ProcessStatus.Created || init.Starting is not null)
            {
                throw ShimFailure.Precondition($"container {config.ContainerId} is {init.Status}, not created");
            }
            init.Starting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                PscTrace.Step("shim.start", config.ContainerId);
                await runtime.StartAsync(config.ContainerId).ConfigureAwait(false);
                if (init.Status == ProcessStatus.Created)
                {
                    init.Status = ProcessStatus.Running;
                }
                events.Publish(ShimEventType.TaskStart, pid: init.Pid);
            }
            catch
            {
                init.Starting.TrySetResult();
                init.Starting = null;
                throw;
            }
            init.Starting.TrySetResult();
            return new PidResult(init.Pid);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async Task<ShimResult> KillAsync(KillRequest request)
    {
        if (request.Signal is <= 0 or > 64)
        {
            throw ShimFailure.Invalid($"signal {request.Signal} is not between 1 and 64");
        }
        var process = Find(request.ExecId);
        if (process.ExitIfDone is not null || process.Pid == 0)
        {
            throw ShimFailure.NotFound($"process {Describe(process)} is not running");
        }
        if (request.ExecId is null)
        {
            await runtime.KillAsync(config.ContainerId, request.Signal, request.All).ConfigureAwait(false);
        }
        else
        {
            // The shim reaps its children itself, so until the reaper has seen this pid exit it cannot be reused.
            Libc.Check(Libc.kill(process.Pid, request.Signal), "kill", $"pid {process.Pid} signal {request.Signal}");
        }
        return new EmptyResult();
    }

    public async Task<ShimResult> DeleteAsync(DeleteRequest request)
    {
        if (request.ExecId is not null)
        {
            var exec = Find(request.ExecId);
            if (exec.Status == ProcessStatus.Running)
            {
                throw ShimFailure.Precondition($"exec {request.ExecId} is running");
            }
            lock (_execs)
            {
                _execs.Remove(request.ExecId);
            }
            File.Delete(ExecFile(request.ExecId, "json"));
            File.Delete(ExecFile(request.ExecId, "pid"));
            exec.Io?.Dispose();
            return exec.ExitIfDone ?? new ExitResult(exec.Pid, 0, DateTimeOffset.UtcNow, false);
        }
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            var init = Find(null);
            if (init.Status == ProcessStatus.Deleted)
            {
                return init.ExitIfDone!;
            }
            if (init.Status is ProcessStatus.Running or ProcessStatus.Paused)
            {
                throw ShimFailure.Precondition($"container {config.ContainerId} is {init.Status.ToString().ToLowerInvariant()}; kill it first");
            }
            PscTrace.Step("shim.delete.begin", config.ContainerId);
            var created = init.Status == ProcessStatus.Created;
            if (created && init.ExitIfDone is null)
            {
                // A created container that never started: kill its waiting init here and collect it
                // first, so the runtime's delete --force finds it stopped (a hosted runtime would
                // otherwise wait for, and collect, the shim's own child).
                Libc.kill(init.Pid, 9);
                await init.Exit.ConfigureAwait(false);
            }
            await runtime.DeleteAsync(config.ContainerId, force: created).ConfigureAwait(false);
            var exit = await init.Exit.ConfigureAwait(false);
            init.Status = ProcessStatus.Deleted;
            File.Delete(config.BundleFile(ShimPaths.InitPidFile));
            events.Publish(ShimEventType.TaskDelete, pid: init.Pid, exit: exit);
            ShimLog.Info($"deleted {config.ContainerId}");
            PscTrace.Step("shim.delete.end", config.ContainerId);
            return exit;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public ShimResult Shutdown(ShutdownRequest request)
    {
        if (!request.Now && _init is not null && _init.Status != ProcessStatus.Deleted)
        {
            throw ShimFailure.Precondition($"container {config.ContainerId} is {_init.Status.ToString().ToLowerInvariant()}; delete it first (or shut down with now)");
        }
        return new EmptyResult();
    }

    /// <summary>Called once the answer to an accepted Shutdown is on its way to the client.</summary>
    public void CompleteShutdown() => _shutdown.TrySetResult();

    public async Task<ShimResult> PauseAsync()
    {
        var init = RunningInit();
        await runtime.PauseAsync(config.ContainerId).ConfigureAwait(false);
        init.Status = ProcessStatus.Paused;
        return new EmptyResult();
    }

    public async Task<ShimResult> ResumeAsync()
    {
        var init = Find(null);
        if (init.Status != ProcessStatus.Paused)
        {
            throw ShimFailure.Precondition($"container {config.ContainerId} is {init.Status.ToString().ToLowerInvariant()}, not paused");
        }
        await runtime.ResumeAsync(config.ContainerId).ConfigureAwait(false);
        init.Status = ProcessStatus.Running;
        return new EmptyResult();
    }

    public async Task<ShimResult> UpdateAsync(UpdateRequest request)
    {
        if (request.Resources.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            throw ShimFailure.Invalid($"resources must be a JSON object, not {request.Resources.ValueKind}");
        }
        RunningInit();
        var file = config.BundleFile($"update-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, request.Resources.GetRawText()).ConfigureAwait(false);
        try
        {
            await runtime.UpdateAsync(config.ContainerId, file).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(file);
        }
        return new EmptyResult();
    }

    public async Task<ShimResult> PidsAsync()
    {
        Find(null);
        var pids = await runtime.PidsAsync(config.ContainerId).ConfigureAwait(false);
        Dictionary<int, string> execPids;
        lock (_execs)
        {
            execPids = _execs.Values.Where(e => e.Pid != 0 && e.ExitIfDone is null).ToDictionary(e => e.Pid, e => e.ExecId!);
        }
        return new PidsResult(pids.Select(p => new ProcessInfo(p, execPids.GetValueOrDefault(p))).ToList());
    }

    public async Task<ShimResult> StatsAsync()
    {
        RunningInit();
        return new StatsResult(await runtime.StatsAsync(config.ContainerId).ConfigureAwait(false));
    }

    private ShimProcess RunningInit()
    {
        var init = Find(null);
        return init.Status is ProcessStatus.Running or ProcessStatus.Paused
            ? init
            : throw ShimFailure.Precondition($"container {config.ContainerId} is {init.Status.ToString().ToLowerInvariant()}, not running");
    }

    /// <summary>Waits for a process's exit, records it (exit file for init), then reports it.</summary>
    private async Task MonitorAsync(ShimProcess process)
    {
        var status = await reaper.WaitAsync(process.Pid).ConfigureAwait(false);
        var exitedAt = DateTimeOffset.UtcNow;
        if (process.ExecId is null)
        {
            PscTrace.Step("shim.exit", config.ContainerId);
        }
        await process.DrainOutputAsync(DrainLimit).ConfigureAwait(false);
        var code = Libc.ExitCodeFromWaitStatus(status);
        var oom = process.ExecId is null && _oom is not null && _oom.Read() > _oomBaseline;
        var exit = new ExitResult(process.Pid, code, exitedAt, oom);
        if (process.ExecId is null)
        {
            try
            {
                new ShimExitRecord(process.Pid, code, exitedAt, oom).Write(config.Bundle);
            }
            catch (IOException e)
            {
                ShimLog.Error($"cannot write the exit record to {config.Bundle}: {e.Message}");
            }
        }
        process.SetExited(exit);
        ShimLog.Info($"{Describe(process)} pid {process.Pid} exited with {code}{(oom ? " (OOM)" : "")}");
        // Events keep the order start → exit even when the process exits before its start is reported.
        if (process.Starting is { } starting)
        {
            await starting.Task.ConfigureAwait(false);
        }
        if (process.ExecId is null)
        {
            if (oom)
            {
                events.Publish(ShimEventType.TaskOOM, pid: process.Pid);
            }
            events.Publish(ShimEventType.TaskExit, pid: process.Pid, exit: exit);
        }
        else
        {
            events.Publish(ShimEventType.ExecExit, process.ExecId, process.Pid, exit);
        }
        process.Hub.Complete(exit);
    }

    private static void StartPumps(ShimProcess process, JsonFileLog? log)
    {
        var io = process.Io!;
        void OnData(OutputStream stream, ReadOnlySpan<byte> data)
        {
            log?.Write(stream, data, DateTimeOffset.UtcNow);
            process.Hub.Publish(stream, data);
        }
        void OnEnd(OutputStream stream) => log?.Close(stream, DateTimeOffset.UtcNow);
        if (io.PtyMaster is not null)
        {
            process.AddPump(new OutputPump(io.PtyMaster, OutputStream.Stdout, OnData, OnEnd));
            return;
        }
        process.AddPump(new OutputPump(io.StdoutRead!, OutputStream.Stdout, OnData, OnEnd));
        process.AddPump(new OutputPump(io.StderrRead!, OutputStream.Stderr, OnData, OnEnd));
    }

    private string NextConsoleSocket() =>
        Path.ChangeExtension(config.SocketPath, $"c{Interlocked.Increment(ref _consoleSockets).ToString(CultureInfo.InvariantCulture)}");

    private static int ReadPidFile(string path)
    {
        var text = File.ReadAllText(path).Trim();
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0
            ? pid
            : throw new InvalidDataException($"pid file {path} holds '{text}', not a pid");
    }

    private string ExecFile(string execId, string extension) => config.BundleFile($"exec-{execId}.{extension}");

    private static string Describe(ShimProcess process) => process.ExecId is null ? "init" : $"exec {process.ExecId}";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex ExecIdPattern();
}
