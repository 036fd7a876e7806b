using PSContainer.Runc.Process;

namespace PSContainer.Runc;

public sealed partial class ContainerRuntime
{
    /// <summary>
    /// A host that runs the runtime in-process (psc-shim) cannot hand the container its stdio as
    /// the CLI's own fds 0, 1, 2; it names them in the options and they are mapped here instead.
    /// </summary>
    private static void AddStdio(List<FdMapping> inherit, IReadOnlyList<int>? stdio)
    {
        if (stdio is null)
        {
            return;
        }
        if (stdio.Count != 3 || stdio.Any(fd => fd < 0))
        {
            throw new RuncException($"stdio must be three open fds (0, 1, 2), not [{string.Join(", ", stdio)}]");
        }
        for (var i = 0; i < 3; i++)
        {
            inherit.Add(new(stdio[i], i));
        }
    }
}
