using System.Collections.Concurrent;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Gc;

/// <summary>
/// Protects blobs and snapshots from collection while an operation (a load, a pull, a commit)
/// is putting an image together. Leases are in memory: they protect work of this process only,
/// which is all that runs against the store.
/// </summary>
public sealed class Lease : IDisposable
{
    private readonly ConcurrentDictionary<Digest, byte> _blobs = new();
    private readonly ConcurrentDictionary<string, byte> _snapshots = new(StringComparer.Ordinal);
    private readonly Action<Lease> _release;
    private int _disposed;

    internal Lease(string description, Action<Lease> release)
    {
        Description = description;
        _release = release;
    }

    public string Description { get; }

    public void AddBlob(Digest digest) => _blobs.TryAdd(digest, 0);

    public void AddSnapshot(string key) => _snapshots.TryAdd(key, 0);

    internal IEnumerable<Digest> Blobs => _blobs.Keys;

    internal IEnumerable<string> Snapshots => _snapshots.Keys;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _release(this);
        }
    }
}
