using System.Collections;
using System.Management.Automation;
using PSContainer.Module.Client;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>
/// What every PSContainer cmdlet shares: -Endpoint (bound by property name too, so objects piped
/// from one engine go back to it), one client per endpoint, Ctrl+C → cancellation, and errors
/// turned into ErrorRecords with stable ids. Engine calls block the pipeline thread (it has no
/// synchronization context, so this cannot deadlock) and every Write* happens on it.
/// </summary>
public abstract class PSContainerCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, (EngineClient Client, ContainerQuery Query)> _clients = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>The engine to talk to: unix:///path/engine.sock or tcp://host:port. Default: $env:PSCONTAINER_HOST, $env:DOCKER_HOST, then unix:///run/pscontainer/engine.sock.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Endpoint { get; set; }

    protected CancellationToken Cancellation => _stopping.Token;

    /// <summary>The client for the current -Endpoint (it may change per piped object).</summary>
    protected EngineClient Client => Connection().Client;

    /// <summary>Name/id resolution for the current endpoint, with its list cached for this pipeline.</summary>
    protected ContainerQuery Containers => Connection().Query;

    protected static Func<string, string?> CallerEnvironment { get; } = Environment.GetEnvironmentVariable;

    protected override void StopProcessing() => _stopping.Cancel();

    protected T Await<T>(Task<T> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    protected void Await(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        try
        {
            task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Enumerates an engine stream on the pipeline thread, handing each item to <paramref name="action"/> (which may Write*).</summary>
    protected void ForEach<T>(IAsyncEnumerable<T> source, Action<T> action)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(action);
        var enumerator = source.GetAsyncEnumerator(Cancellation);
        try
        {
            while (Await(enumerator.MoveNextAsync().AsTask()))
            {
                action(enumerator.Current);
            }
        }
        finally
        {
            try
            {
                enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                // Disposing a cancelled stream; the cancellation is already being reported.
            }
        }
    }

    /// <summary>
    /// Runs one item's work; a failure of that item becomes a non-terminating error (the rest of
    /// the list goes on), except an unreachable engine, which stops the pipeline.
    /// </summary>
    protected void Try(object? target, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            action();
        }
        catch (Exception e) when (e is EngineException or ArgumentException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            ReportError(e, target);
        }
    }

    protected void ReportError(Exception exception, object? target)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var record = ErrorRecords.Create(exception, target);
        if (exception is EngineException engine && ErrorCatalog.For(engine.Kind).Terminating)
        {
            ThrowTerminatingError(record);
        }
        WriteError(record);
    }

    protected void WriteProgressUpdate(ProgressUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        WriteProgress(new ProgressRecord(update.ActivityId, update.Activity, update.StatusDescription)
        {
            ParentActivityId = update.ParentActivityId,
            PercentComplete = update.PercentComplete,
            RecordType = update.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        });
    }

    /// <summary>Runs a pull/push/load/build stream through the aggregator: progress records, then the completed ones.</summary>
    protected IReadOnlyList<string> ShowProgress(string activity, IAsyncEnumerable<Api.ProgressMessage> stream)
    {
        var aggregator = new ProgressAggregator(activity);
        ForEach(stream, message =>
        {
            foreach (var update in aggregator.Add(message))
            {
                WriteProgressUpdate(update);
            }
        });
        foreach (var update in aggregator.Complete())
        {
            WriteProgressUpdate(update);
        }
        foreach (var message in aggregator.Messages)
        {
            WriteVerbose(message);
        }
        return aggregator.Messages;
    }

    /// <summary>Sets $LASTEXITCODE, as a native command would, for runs and execs.</summary>
    protected void SetLastExitCode(long exitCode) =>
        SessionState.PSVariable.Set("global:LASTEXITCODE", (int)exitCode);

    /// <summary>Writes a line of container output: stdout as a string, stderr to the error stream (category FromStdErr).</summary>
    protected void WriteOutputLine(ContainerLogLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Stream == ContainerOutputStream.StdErr)
        {
            WriteError(new ErrorRecord(new RemoteException(line.Line), "ContainerStdErr", ErrorCategory.FromStdErr, line.ContainerName));
        }
        else
        {
            WriteObject(line.Line);
        }
    }

    /// <summary>Unwraps PSObjects so Core sees hashtables and strings.</summary>
    protected static IReadOnlyList<object?> Unwrap(IEnumerable? values) =>
        values is null ? [] : values.Cast<object?>().Select(v => v is PSObject ps ? ps.BaseObject : v).ToList();

    private (EngineClient Client, ContainerQuery Query) Connection()
    {
        var endpoint = EngineEndpoint.Resolve(Endpoint, CallerEnvironment);
        var key = endpoint.ToString();
        if (!_clients.TryGetValue(key, out var entry))
        {
            var client = new EngineClient(endpoint);
            entry = (client, new ContainerQuery(client));
            _clients[key] = entry;
        }
        return entry;
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (disposing)
        {
            foreach (var (client, _) in _clients.Values)
            {
                client.Dispose();
            }
            _stopping.Dispose();
        }
    }
}
