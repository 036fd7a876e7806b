using System.Globalization;
using System.Text;
using System.Text.Json;
using PSContainer.Api;
using PSContainer.Oci;
using PSContainer.ShimApi;

namespace PSContainer.Engine.Daemon.Containers;

public sealed partial class ContainerService
{
    private const int HealthLogEntries = 5;
    private const int HealthOutputLimit = 4096;
    private static readonly TimeSpan DefaultHealthInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DefaultHealthTimeout = TimeSpan.FromSeconds(30);
    private const int DefaultHealthRetries = 3;

    /// <summary>
    /// Runs the container's healthcheck while this task lives: each probe is an exec of the test
    /// command with a timeout; Retries consecutive failures after the start period make it
    /// unhealthy, one success makes it healthy; each change publishes "health_status: ...".
    /// </summary>
    private void StartHealthcheck(Container container)
    {
        if (container.EffectiveHealthcheck is not { } check)
        {
            return;
        }
        var pid = container.Record.State.Pid;
        var interval = check.Interval > 0 ? TimeSpan.FromTicks(check.Interval / 100) : DefaultHealthInterval;
        var timeout = check.Timeout > 0 ? TimeSpan.FromTicks(check.Timeout / 100) : DefaultHealthTimeout;
        var startPeriod = TimeSpan.FromTicks(check.StartPeriod / 100);
        var startInterval = check.StartInterval > 0 ? TimeSpan.FromTicks(check.StartInterval / 100) : interval;
        var retries = check.Retries > 0 ? check.Retries : DefaultHealthRetries;
        var args = check.Test![0] switch
        {
            "CMD" => check.Test[1..],
            "CMD-SHELL" => ["/bin/sh", "-c", string.Join(' ', check.Test[1..])],
            _ => check.Test,
        };
        var started = DateTimeOffset.UtcNow;
        _ = Task.Run(async () =>
        {
            var token = container.Lifetime.Token;
            try
            {
                while (!token.IsCancellationRequested && container.Record.State.HasTask && container.Record.State.Pid == pid)
                {
                    var inStartPeriod = DateTimeOffset.UtcNow - started < startPeriod;
                    await Task.Delay(inStartPeriod ? startInterval : interval, token).ConfigureAwait(false);
                    if (!container.Record.State.HasTask || container.Record.State.Pid != pid)
                    {
                        break;
                    }
                    if (container.Record.State.Status == "paused")
                    {
                        continue;
                    }
                    var result = await ProbeAsync(container, args, timeout, token).ConfigureAwait(false);
                    RecordHealth(container, result, retries, DateTimeOffset.UtcNow - started < startPeriod);
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Log.HealthcheckFailed(logger, container.Id, e.Message);
            }
        }, CancellationToken.None);
    }

    private async Task<HealthcheckResult> ProbeAsync(Container container, List<string> args, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = new HealthcheckResult { Start = Timestamp(DateTimeOffset.UtcNow) };
        var client = tasks.Get(container.Id);
        if (client is null)
        {
            result.ExitCode = -1;
            result.Output = "container is not running";
            result.End = Timestamp(DateTimeOffset.UtcNow);
            return result;
        }
        var execId = "health-" + ContainerNames.NewId()[..16];
        var process = ExecProcess(container, new ExecCreateRequest { Cmd = args });
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var output = new StringBuilder();
        try
        {
            await client.ExecAsync(execId, JsonSerializer.SerializeToElement(process, OciJsonContext.Default.OciProcess), cancellationToken: limit.Token).ConfigureAwait(false);
            var session = await client.AttachAsync(new AttachRequest(container.Id, execId), limit.Token).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                await client.StartAsync(execId, limit.Token).ConfigureAwait(false);
                while (await session.ReadFrameAsync(limit.Token).ConfigureAwait(false) is { } frame)
                {
                    if (frame.Kind == AttachFrameKind.Exit)
                    {
                        result.ExitCode = ShimAttachSession.ParseExit(frame).ExitCode;
                        break;
                    }
                    if (output.Length < HealthOutputLimit)
                    {
                        output.Append(Encoding.UTF8.GetString(frame.Payload.Span));
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result.ExitCode = -1;
            output.Append(CultureInfo.InvariantCulture, $"Health check exceeded timeout ({timeout.TotalSeconds}s)");
            try
            {
                await client.KillAsync(Signals.SIGKILL, execId: execId, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ShimException or IOException or TimeoutException)
            {
                Log.HealthcheckFailed(logger, container.Id, e.Message);
            }
        }
        catch (ShimException e)
        {
            result.ExitCode = -1;
            output.Append(e.Message);
        }
        try
        {
            await client.DeleteAsync(execId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ShimException or IOException or TimeoutException)
        {
            Log.HealthcheckFailed(logger, container.Id, "delete probe: " + e.Message);
        }
        result.End = Timestamp(DateTimeOffset.UtcNow);
        result.Output = output.Length > HealthOutputLimit ? output.ToString(0, HealthOutputLimit) : output.ToString();
        return result;
    }

    private void RecordHealth(Container container, HealthcheckResult result, int retries, bool inStartPeriod)
    {
        var health = container.Record.State.Health ??= new Health { Status = "starting" };
        var before = health.Status;
        health.Log.Add(result);
        if (health.Log.Count > HealthLogEntries)
        {
            health.Log.RemoveAt(0);
        }
        if (result.ExitCode == 0)
        {
            health.FailingStreak = 0;
            health.Status = "healthy";
        }
        else if (!inStartPeriod)
        {
            health.FailingStreak++;
            if (health.FailingStreak >= retries)
            {
                health.Status = "unhealthy";
            }
        }
        store.Save(container);
        if (health.Status != before)
        {
            Publish(container, "health_status: " + health.Status);
        }
    }

    internal static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
