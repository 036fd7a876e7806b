namespace PSContainer.Engine.Core.Distribution;

/// <summary>
/// A registry client shared by a pull and the download it may hand over to other waiters: the
/// client is disposed when the last holder releases it, so a cancelled first puller does not
/// pull the connection from under the shared work.
/// </summary>
internal sealed class RegistryClientHandle : IDisposable
{
    private int _holders = 1;

    public RegistryClientHandle(RegistryClient client) => Client = client;

    public RegistryClient Client { get; }

    /// <summary>Takes one more hold; every call needs its own <see cref="Dispose"/>.</summary>
    public RegistryClientHandle AddHolder()
    {
        if (Interlocked.Increment(ref _holders) <= 1)
        {
            throw new ObjectDisposedException(nameof(RegistryClientHandle));
        }
        return this;
    }

    public void Dispose()
    {
        if (Interlocked.Decrement(ref _holders) == 0)
        {
            Client.Dispose();
        }
    }
}
