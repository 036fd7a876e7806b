using PSContainer.Engine.Core.Diff;
using PSContainer.Engine.Core.Snapshots;

namespace PSContainer.Engine.Core.IntegrationTests;

/// <summary>A private data root with the core services on it; unmounts and deletes everything at the end.</summary>
internal sealed class CoreFixture : IDisposable
{
    private readonly List<string> _mounts = [];

    public CoreFixture(string snapshotter)
    {
        Root = Path.Combine(Path.GetTempPath(), "psc-core-it-" + Guid.NewGuid().ToString("N"));
        Services = CoreServices.Open(new CoreOptions { DataRoot = Path.Combine(Root, "data"), Snapshotter = snapshotter });
    }

    public string Root { get; }

    public CoreServices Services { get; }

    /// <summary>Mounts a read-only view of the image's layers and returns where.</summary>
    public async Task<string> MountImageAsync(string imageNameOrId)
    {
        var image = Services.Images.Get(imageNameOrId);
        var top = await Services.Unpacker.UnpackAsync(image.Manifest, image.Config);
        var key = "view-" + Guid.NewGuid().ToString("N");
        return Mount(Services.Snapshotter.View(key, top?.ToString()));
    }

    public string Mount(IReadOnlyList<SnapshotMount> mounts)
    {
        var target = Path.Combine(Root, "mnt-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(target);
        _mounts.Add(target);
        Mounter.MountAll(mounts, target);
        return target;
    }

    public void Unmount(string target) => Mounter.UnmountAll(target);

    public void Dispose()
    {
        foreach (var target in _mounts)
        {
            Mounter.UnmountAll(target);
        }
        FileTree.DeleteRecursive(Root);
    }
}
