using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Images;

namespace PSContainer.Engine.Core.Snapshots;

/// <summary>
/// A container's root file system: an active snapshot keyed by the container id, on top of the
/// image's top layer (unpacked on demand). The daemon mounts the returned mounts onto the
/// bundle's rootfs directory (<see cref="Mounter.MountAll"/>) before it creates the task.
/// </summary>
public sealed class ContainerRootfs
{
    private readonly IImageStore _images;
    private readonly ImageUnpacker _unpacker;
    private readonly ISnapshotter _snapshotter;

    public ContainerRootfs(IImageStore images, ImageUnpacker unpacker, ISnapshotter snapshotter)
    {
        _images = images;
        _unpacker = unpacker;
        _snapshotter = snapshotter;
    }

    /// <summary>Label on a container's snapshot naming the image it was made from.</summary>
    public const string ImageLabel = "pscontainer/image";

    /// <summary>
    /// Creates the writable snapshot <paramref name="containerId"/> from the image
    /// (<paramref name="imageNameOrId"/>: name or id) and returns its mounts. AlreadyExists when the
    /// container already has one.
    /// </summary>
    public async Task<IReadOnlyList<SnapshotMount>> PrepareAsync(string imageNameOrId, string containerId, CancellationToken cancellationToken = default)
    {
        var image = _images.Get(imageNameOrId);
        var top = await _unpacker.UnpackAsync(image.Manifest, image.Config, cancellationToken: cancellationToken).ConfigureAwait(false);
        return _snapshotter.Prepare(containerId, top?.ToString(), new Dictionary<string, string> { [ImageLabel] = image.Id.ToString() });
    }

    /// <summary>The mounts of an existing container snapshot (after an engine restart, for example).</summary>
    public IReadOnlyList<SnapshotMount> Mounts(string containerId) => _snapshotter.Mounts(containerId);

    /// <summary>Removes the container's snapshot; quietly does nothing when there is none.</summary>
    public void Remove(string containerId)
    {
        try
        {
            _snapshotter.Remove(containerId);
        }
        catch (CoreException e) when (e.Kind == CoreErrorKind.NotFound)
        {
        }
    }
}
