using System.Runtime.CompilerServices;
using System.Text;
using PSContainer.Module.Client;

namespace PSContainer.Module.Core;

/// <summary>
/// Runs a command to completion and streams its output as lines: exec in a running container
/// (Invoke-ContainerCommand) or a new container in the foreground (Start-Container -Image without
/// -Detach, like docker run). The exit code is known once the lines are read.
/// </summary>
public sealed class CommandRun
{
    private readonly EngineClient _client;

    public CommandRun(EngineClient client) => _client = client ?? throw new ArgumentNullException(nameof(client));

    /// <summary>The exit code, after the output has been read to its end.</summary>
    public long? ExitCode { get; private set; }

    /// <summary>The exec instance's id, or the container's id for a foreground run.</summary>
    public string? Id { get; private set; }

    public async IAsyncEnumerable<ContainerLogLine> ExecAsync(
        string containerId, string containerName, ExecOptions options, string? input, Func<string, string?> callerEnvironment,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var request = options.ToRequest(callerEnvironment);
        var exec = await _client.CreateExecAsync(containerId, request, cancellationToken).ConfigureAwait(false);
        Id = exec.Id;
        using (var connection = await _client.StartExecAsync(exec.Id, options.Tty, cancellationToken).ConfigureAwait(false))
        {
            await SendInputAsync(connection, options.AttachStdin ? input : null, cancellationToken).ConfigureAwait(false);
            await foreach (var line in ContainerOutputReader.ReadLinesAsync(connection.Output, containerId, containerName, false, cancellationToken).ConfigureAwait(false))
            {
                yield return line;
            }
        }
        var inspect = await _client.InspectExecAsync(exec.Id, cancellationToken).ConfigureAwait(false);
        ExitCode = inspect.ExitCode;
    }

    /// <summary>
    /// docker run in the foreground: create, wait (registered before start so a fast exit is not
    /// missed), attach, start, stream the output, then the exit code. With AutoRemove the wait is
    /// for removal, so the container is gone when this returns.
    /// </summary>
    public async IAsyncEnumerable<ContainerLogLine> RunAsync(
        ContainerCreateOptions options, Func<string, string?> callerEnvironment, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var request = ContainerCreateRequestBuilder.Build(options, callerEnvironment);
        var created = await _client.CreateContainerAsync(request, options.Name, cancellationToken).ConfigureAwait(false);
        Id = created.Id;
        var name = options.Name ?? Ids.Short(created.Id);
        using var waitCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var wait = _client.WaitContainerAsync(created.Id, options.AutoRemove ? "removed" : "next-exit", waitCancel.Token);
        try
        {
            using var connection = await _client.AttachContainerAsync(created.Id, stdin: false, options.Tty, cancellationToken).ConfigureAwait(false);
            await _client.StartContainerAsync(created.Id, cancellationToken).ConfigureAwait(false);
            await foreach (var line in ContainerOutputReader.ReadLinesAsync(connection.Output, created.Id, name, false, cancellationToken).ConfigureAwait(false))
            {
                yield return line;
            }
            var status = await wait.ConfigureAwait(false);
            ExitCode = status.StatusCode;
        }
        finally
        {
            if (!wait.IsCompleted)
            {
                await waitCancel.CancelAsync().ConfigureAwait(false);
                try
                {
                    await wait.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The wait was only abandoned because the run failed or was cancelled.
                }
                catch (EngineException)
                {
                    // Same: the original failure is the one to report.
                }
            }
        }
    }

    private static async Task SendInputAsync(HijackedConnection connection, string? input, CancellationToken cancellationToken)
    {
        if (input is not null)
        {
            await connection.WriteInputAsync(Encoding.UTF8.GetBytes(input), cancellationToken).ConfigureAwait(false);
        }
        // Close stdin either way so a command that reads it sees EOF instead of waiting forever.
        connection.CloseInput();
    }
}
