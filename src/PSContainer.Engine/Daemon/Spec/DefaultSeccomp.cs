using PSContainer.Oci;

namespace PSContainer.Engine.Daemon.Spec;

/// <summary>
/// Docker's default seccomp profile, from PSContainer.Oci.Profiles.DefaultSeccompProfile when
/// that type is compiled in (it is written alongside); looked up by name so the engine builds
/// before it lands. Without it containers run with no seccomp filter, and /info says so.
/// </summary>
public static class DefaultSeccomp
{
    public static Func<LinuxSeccomp?> Load()
    {
        var type = typeof(LinuxSeccomp).Assembly.GetType("PSContainer.Oci.Profiles.DefaultSeccompProfile");
        var method = type?.GetMethod("Create", Type.EmptyTypes) ?? type?.GetMethod("Build", Type.EmptyTypes);
        if (method is null || method.ReturnType != typeof(LinuxSeccomp))
        {
            return static () => null;
        }
        return () => (LinuxSeccomp?)method.Invoke(null, null);
    }
}
