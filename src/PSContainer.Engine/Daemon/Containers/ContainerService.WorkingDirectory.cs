using PSContainer.Engine.Core.Diff;
using PSContainer.Engine.Errors;
using PSContainer.Interop.Linux;

namespace PSContainer.Engine.Daemon.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// Like dockerd, a WorkingDir the image does not have is created (0755, root) in the mounted
    /// rootfs before the task starts, resolved inside the container's root; the runtime would
    /// otherwise fail its chdir. A path that exists as a non-directory is Docker's 400.
    /// </summary>
    private static void EnsureWorkingDirectory(Container container)
    {
        var workingDir = container.Record.Config.WorkingDir;
        if (string.IsNullOrEmpty(workingDir))
        {
            return;
        }
        using var root = new ScopedRoot(container.RootfsDirectory);
        try
        {
            var resolved = root.Resolve(ContainerPath.Clean(workingDir), followLast: true);
            using var _ = root.OpenOrCreateDirectory(resolved);
        }
        catch (SyscallException e) when (e.Errno is Errno.ENOTDIR or Errno.EEXIST)
        {
            throw EngineException.InvalidParameter($"Cannot mkdir: {workingDir} is not a directory", e);
        }
    }
}
