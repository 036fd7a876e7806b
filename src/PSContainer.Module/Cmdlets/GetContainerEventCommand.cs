using System.Management.Automation;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>
/// Engine events (docker events). Without -Follow it returns what happened between -Since
/// (default: the last 10 minutes) and -Until (default: now); with -Follow it keeps listening until Ctrl+C.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ContainerEvent")]
[OutputType(typeof(ContainerEvent))]
public sealed class GetContainerEventCommand : PSContainerCmdlet
{
    [Parameter]
    public DateTime? Since { get; set; }

    [Parameter]
    public DateTime? Until { get; set; }

    [Parameter]
    public SwitchParameter Follow { get; set; }

    /// <summary>container, image, volume, network or daemon.</summary>
    [Parameter]
    [ValidateSet("container", "image", "volume", "network", "daemon")]
    public string[] Type { get; set; } = [];

    /// <summary>Only events about this container, image, volume or network (name or id).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Object { get; set; } = [];

    /// <summary>Only these actions (start, die, pull...).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Action { get; set; } = [];

    protected override void ProcessRecord() => Try(Client.Endpoint.ToString(), () =>
    {
        if (Follow && Until is not null)
        {
            throw new ArgumentException("-Follow listens from now on; it cannot be combined with -Until.");
        }
        DateTime? since = Since ?? (Follow ? null : DateTime.Now.AddMinutes(-10));
        DateTime? until = Follow ? null : Until ?? DateTime.Now;
        var filters = new Dictionary<string, IReadOnlyList<string>>
        {
            ["type"] = Type,
            ["event"] = Action,
            ["container"] = Type.Length is 0 || Type.Contains("container") ? Object : [],
        };
        ForEach(Client.EventsAsync(since is { } s ? EngineTime.ToApiTimestamp(s) : null, until is { } u ? EngineTime.ToApiTimestamp(u) : null, filters, Cancellation),
            message => WriteObject(ResourceConverter.ToEvent(message)));
    });
}
