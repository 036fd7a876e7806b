using System.Text.Json;
using PSContainer.Shim.Io;
using PSContainer.Shim.Processes;
using PSContainer.ShimApi;

namespace PSContainer.Shim.Server;

/// <summary>Exec processes: added, then started through the runtime's `exec --detach`.</summary>
internal sealed partial class TaskService
{
    public ShimResult AddExec(ExecRequest request)
    {
        if (!ExecIdPattern().IsMatch(request.ExecId))
        {
            throw ShimFailure.Invalid($"exec id '{request.ExecId}' must be 1-64 of A-Z a-z 0-9 _ . - (not starting with _ . -)");
        }
        if (request.Process.ValueKind != JsonValueKind.Object || !request.Process.TryGetProperty("args", out var args)
            || args.ValueKind != JsonValueKind.Array || args.GetArrayLength() == 0)
        {
            throw ShimFailure.Invalid("exec process must be an OCI process object with a non-empty \"args\" array");
        }
        var init = Find(null);
        if (init.Status is not (ProcessStatus.Running or ProcessStatus.Paused))
        {
            throw ShimFailure.Precondition($"container {init.Status.ToString().ToLowerInvariant()}: exec needs a running container");
        }
        lock (_execs)
        {
            if (_execs.ContainsKey(request.ExecId))
            {
                throw new ShimFailure(ShimErrorCode.AlreadyExists, $"exec {request.ExecId} already exists");
            }
            _execs[request.ExecId] = new ShimProcess(request.ExecId, request.Terminal, request.OpenStdin, new AttachHub(keepUntilFirstReader: true))
            {
                ProcessJson = WithTerminal(request.Process, request.Terminal),
            };
        }
        events.Publish(ShimEventType.ExecAdded, request.ExecId);
        return new EmptyResult();
    }

    private async Task<ShimResult> StartExecAsync(string execId)
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            var exec = Find(execId);
            if (exec.Status != ProcessStatus.Created || exec.Starting is not null)
            {
                throw ShimFailure.Precondition($"exec {execId} is {exec.Status.ToString().ToLowerInvariant()}, not created");
            }
            RunningInit();
            var processFile = ExecFile(execId, "json");
            var pidFile = ExecFile(execId, "pid");
            await File.WriteAllTextAsync(processFile, exec.ProcessJson).ConfigureAwait(false);
            File.Delete(pidFile);
            exec.Starting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                exec.Io = ProcessIo.Create(exec.Terminal, exec.OpenStdin, NextConsoleSocket());
                await exec.Io.RunRuntimeAsync(() => runtime.ExecAsync(config.ContainerId, processFile, pidFile,
                    exec.Io.ConsoleSocketPath, exec.Io.RuntimeStdio)).ConfigureAwait(false);
                exec.Io.CloseChildEnds();
                exec.Pid = ReadPidFile(pidFile);
            }
            catch
            {
                exec.Io?.Dispose();
                exec.Io = null;
                exec.Starting = null;
                throw;
            }
            if (exec.Status == ProcessStatus.Created)
            {
                exec.Status = ProcessStatus.Running;
            }
            StartPumps(exec, null);
            _ = MonitorAsync(exec);
            events.Publish(ShimEventType.ExecStarted, execId, exec.Pid);
            exec.Starting.TrySetResult();
            return new PidResult(exec.Pid);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>The runtime reads "terminal" from the process file; make it agree with the request.</summary>
    private static string WithTerminal(JsonElement process, bool terminal)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var property in process.EnumerateObject())
            {
                if (property.NameEquals("terminal"))
                {
                    continue;
                }
                property.WriteTo(writer);
            }
            writer.WriteBoolean("terminal", terminal);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
