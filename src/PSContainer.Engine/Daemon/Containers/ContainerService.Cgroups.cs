namespace PSContainer.Engine.Daemon.Containers;

public sealed partial class ContainerService
{
    /// <summary>The parent of the containers' cgroups (the engine removes it at shutdown when empty).</summary>
    public string CgroupParent => options.CgroupParent;
}
