namespace PSContainer.Engine.Daemon.Networks;

/// <summary>
/// A host-wide lock (an exclusive lock on one file under /run/lock) taken while a default address
/// pool is chosen and its bridge is given its address: until then the pool is not yet a host route,
/// so two engines starting at the same moment (tests run several) could otherwise take the same one.
/// </summary>
public sealed class HostNetworkLock : IDisposable
{
    public const string DefaultPath = "/run/lock/pscontainer-networks.lock";

    private readonly FileStream _file;

    private HostNetworkLock(FileStream file) => _file = file;

    /// <summary>Waits (up to a minute) for the lock; .NET takes an exclusive flock for FileShare.None.</summary>
    public static HostNetworkLock Acquire(string path = DefaultPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            try
            {
                return new HostNetworkLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
