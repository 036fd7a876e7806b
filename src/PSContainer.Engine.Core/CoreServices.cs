using PSContainer.Engine.Core.Archive;
using PSContainer.Engine.Core.Content;
using PSContainer.Engine.Core.Gc;
using PSContainer.Engine.Core.Images;
using PSContainer.Engine.Core.Metadata;
using PSContainer.Engine.Core.Snapshots;

namespace PSContainer.Engine.Core;

/// <summary>How to open the core services.</summary>
public sealed class CoreOptions
{
    /// <summary>The persistent root, e.g. /var/lib/pscontainer.</summary>
    public required string DataRoot { get; init; }

    /// <summary>"overlayfs", "native", or null to use overlayfs where it works and native otherwise.</summary>
    public string? Snapshotter { get; init; }

    /// <summary>How registries are reached (insecure registries, certs.d); defaults when null.</summary>
    public Distribution.RegistryOptions? Registry { get; init; }
}

/// <summary>
/// The containerd-style services over one data root, wired together:
/// <c>&lt;root&gt;/content</c>, <c>&lt;root&gt;/metadata</c>, <c>&lt;root&gt;/snapshots/{overlayfs,native}</c>,
/// <c>&lt;root&gt;/tmp</c> (spooled archives; emptied on open).
/// </summary>
public sealed class CoreServices
{
    private CoreServices(CoreOptions options)
    {
        DataRoot = Path.GetFullPath(options.DataRoot);
        Directory.CreateDirectory(DataRoot);
        TempRoot = Path.Combine(DataRoot, "tmp");
        if (Directory.Exists(TempRoot))
        {
            Diff.FileTree.DeleteRecursive(TempRoot); // leftovers of loads interrupted by a crash
        }
        Directory.CreateDirectory(TempRoot);
        Content = new ContentStore(Path.Combine(DataRoot, "content"));
        Metadata = new MetadataStore(Path.Combine(DataRoot, "metadata"));
        var snapshotsRoot = Path.Combine(DataRoot, "snapshots");
        string? fallbackReason = null;
        Snapshotter = options.Snapshotter switch
        {
            null => OverlaySupport.OpenBest(snapshotsRoot, out fallbackReason),
            "overlayfs" or "overlay" => new OverlaySnapshotter(Path.Combine(snapshotsRoot, "overlayfs")),
            "native" => new NativeSnapshotter(Path.Combine(snapshotsRoot, "native")),
            var other => throw Errdefs.CoreException.InvalidArgument($"unknown snapshotter \"{other}\" (overlayfs or native)"),
        };
        SnapshotterFallbackReason = fallbackReason;
        Images = new ImageStore(Content, Metadata);
        Unpacker = new ImageUnpacker(Content, Snapshotter);
        Gc = new GarbageCollector(Content, Images, Snapshotter);
        Archives = new ImageArchiveService(Content, Images, Unpacker, Gc, TempRoot);
        Rootfs = new ContainerRootfs(Images, Unpacker, Snapshotter);
        Differ = new Diff.SnapshotDiffer(Snapshotter, TempRoot);
        Committer = new ImageCommitter(Content, Images, Snapshotter, Differ, Unpacker, Gc);
        Distribution = new Distribution.DistributionService(Content, Images, Unpacker, Gc, options.Registry);
    }

    public static CoreServices Open(CoreOptions options) => new(options);

    public string DataRoot { get; }

    public string TempRoot { get; }

    public IContentStore Content { get; }

    /// <summary>Record collections for the daemon too (containers, volumes, networks).</summary>
    public IMetadataStore Metadata { get; }

    public ISnapshotter Snapshotter { get; }

    /// <summary>Why overlayfs was not chosen when the snapshotter was picked automatically; null otherwise.</summary>
    public string? SnapshotterFallbackReason { get; }

    public IImageStore Images { get; }

    public ImageUnpacker Unpacker { get; }

    public IImageArchiveService Archives { get; }

    public IGarbageCollector Gc { get; }

    public ContainerRootfs Rootfs { get; }

    /// <summary>docker diff (Changes), docker export (ExportAsync) and layer tars of a container's snapshot.</summary>
    public Diff.SnapshotDiffer Differ { get; }

    /// <summary>docker commit.</summary>
    public ImageCommitter Committer { get; }

    /// <summary>docker pull and docker login against registries.</summary>
    public Distribution.DistributionService Distribution { get; }
}
