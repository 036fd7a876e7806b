using System.Management.Automation;
using PSContainer.Module.Client;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Reads a container's output: one object per line with Stream, Time (with -Timestamp) and Line.</summary>
[Cmdlet(VerbsCommon.Get, "ContainerLog")]
[OutputType(typeof(ContainerLogLine))]
public sealed class GetContainerLogCommand : ContainerTargetCmdlet
{
    /// <summary>Keep reading new lines until the container stops or Ctrl+C.</summary>
    [Parameter]
    public SwitchParameter Follow { get; set; }

    /// <summary>Only the last N lines.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? Tail { get; set; }

    [Parameter]
    public DateTime? Since { get; set; }

    [Parameter]
    public DateTime? Until { get; set; }

    /// <summary>Ask the engine for each line's time (fills Time).</summary>
    [Parameter]
    public SwitchParameter Timestamp { get; set; }

    /// <summary>Only StdOut or only StdErr.</summary>
    [Parameter]
    public ContainerOutputStream[] Stream { get; set; } = [];

    protected override void ProcessRecord() => ForEachContainer(container =>
    {
        var inspect = Await(Client.InspectContainerAsync(container.Id, Cancellation));
        var name = (inspect.Name ?? "").TrimStart('/');
        var options = new LogOptions
        {
            StdOut = Stream.Length == 0 || Stream.Contains(ContainerOutputStream.StdOut),
            StdErr = Stream.Length == 0 || Stream.Contains(ContainerOutputStream.StdErr),
            Follow = Follow,
            Timestamps = Timestamp,
            Tail = Tail,
            Since = Since is { } since ? EngineTime.ToApiTimestamp(since) : null,
            Until = Until is { } until ? EngineTime.ToApiTimestamp(until) : null,
        };
        using var response = Await(Client.ContainerLogsAsync(inspect.Id, options, Cancellation));
        using var body = Await(response.Content.ReadAsStreamAsync(Cancellation));
        var reader = new MultiplexedStreamReader(body, raw: inspect.Config?.Tty ?? false);
        ForEach(ContainerOutputReader.ReadLinesAsync(reader, inspect.Id, name, Timestamp, Cancellation), WriteObject);
    });
}
