namespace PSContainer.Runc.Cgroups;

/// <summary>
/// The cgroup part of the config cannot be applied as asked: a bad cgroupsPath, a resource the
/// detected cgroup version or the mounted controllers do not support, or an invalid value. The
/// message names the config field and the value.
/// </summary>
public sealed class CgroupConfigException : Exception
{
    public CgroupConfigException(string message) : base(message) { }

    public CgroupConfigException(string message, Exception inner) : base(message, inner) { }

    public CgroupConfigException() { }
}
