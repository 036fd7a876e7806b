namespace PSContainer;

/// <summary>A container's lifecycle state, as the engine reports it in State.Status.</summary>
public enum ContainerState
{
    Unknown,
    Created,
    Running,
    Paused,
    Restarting,
    Removing,
    Exited,
    Dead,
}
