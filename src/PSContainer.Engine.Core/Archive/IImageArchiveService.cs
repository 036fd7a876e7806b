using PSContainer.Engine.Core.Images;

namespace PSContainer.Engine.Core.Archive;

/// <summary>
/// Moves images in and out as archives: <c>docker load</c> / <c>docker save</c> (docker-archive),
/// OCI image layouts and OCI archives, and <c>docker import</c> of a rootfs tarball. A load is
/// atomic: a bad archive leaves no image behind (its blobs are left to GC, held by a lease only
/// while the load runs).
/// </summary>
public interface IImageArchiveService
{
    /// <summary>
    /// Loads a docker-archive or an OCI archive (detected from its entries) from a tar stream,
    /// verifies every blob and diff id, unpacks the layers and records the images and tags.
    /// </summary>
    Task<LoadResult> LoadAsync(Stream archive, LoadOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Loads an OCI image layout directory (oci-layout, index.json, blobs/).</summary>
    Task<LoadResult> LoadOciLayoutAsync(string directory, LoadOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes what <c>docker save</c> writes for the given names or ids: layer tars, config json,
    /// manifest.json (with RepoTags) and repositories, plus an OCI layout (index.json, oci-layout,
    /// blobs/sha256) as Docker 25+ does. A name saves that tag; an id saves the image untagged.
    /// </summary>
    Task SaveDockerArchiveAsync(IReadOnlyList<string> namesOrIds, Stream output, CancellationToken cancellationToken = default);

    /// <summary>Writes an OCI archive: oci-layout, index.json with ref.name annotations, blobs/sha256.</summary>
    Task SaveOciArchiveAsync(IReadOnlyList<string> namesOrIds, Stream output, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>docker import</c>: makes a one-layer image from a rootfs tarball (plain or gzip) with
    /// the given config changes, message and optional reference.
    /// </summary>
    Task<Image> ImportRootfsAsync(Stream rootfsTar, ImportOptions? options = null, CancellationToken cancellationToken = default);
}

public sealed class LoadOptions
{
    /// <summary>
    /// For OCI archives whose ref.name annotation is only a tag ("latest"): the repository to
    /// put it under ("busybox"). Without it such images load untagged.
    /// </summary>
    public string? DefaultRepository { get; init; }

    /// <summary>Progress lines ("Loading layer sha256:…") for the JSON progress stream.</summary>
    public IProgress<string>? Progress { get; init; }
}

/// <param name="Images">The images recorded, in archive order.</param>
/// <param name="Messages">Docker's output lines: "Loaded image: busybox:latest" or "Loaded image ID: sha256:…".</param>
public sealed record LoadResult(IReadOnlyList<Image> Images, IReadOnlyList<string> Messages);

public sealed class ImportOptions
{
    /// <summary>The reference to tag the image with ("repo:tag"); untagged when null.</summary>
    public string? Reference { get; init; }

    /// <summary>The history comment and config comment ("imported from -" when null, like Docker).</summary>
    public string? Message { get; init; }

    /// <summary>The image config defaults (Cmd, Env, ...), already built from the Dockerfile-like changes.</summary>
    public Oci.ImageRuntimeConfig? Config { get; init; }

    /// <summary>Architecture and OS recorded in the config; linux/amd64 when null.</summary>
    public Oci.Platform? Platform { get; init; }

    /// <summary>The "created" time; now when null.</summary>
    public DateTimeOffset? Created { get; init; }
}
