using PSContainer.Engine.Daemon.Streams;
using PSContainer.Engine.Errors;

namespace PSContainer.Engine.Daemon.Containers;

/// <summary>Detach keys of attach and exec: parsed with a 400 for a bad value, and the detach event.</summary>
public sealed partial class ContainerService
{
    /// <summary>The byte sequence of a detachKeys value (empty or null: ctrl-p,ctrl-q); a bad value is InvalidParameter (400).</summary>
    public static byte[] ParseDetachKeys(string? spec)
    {
        try
        {
            return DetachKeys.Parse(spec);
        }
        catch (FormatException e)
        {
            throw EngineException.InvalidParameter($"Invalid detach keys ({spec}) provided: {e.Message}", e);
        }
    }

    /// <summary>A client detached from the container (the attach ended, the container runs on): Docker's "detach" event.</summary>
    private void PublishDetach(Container container, AttachOutcome outcome)
    {
        if (outcome.Detached)
        {
            Publish(container, "detach");
        }
    }
}
