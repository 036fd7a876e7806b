namespace PSContainer.Engine.Core.Distribution;

/// <summary>
/// One step of a pull or push, shaped like a line of Docker's JSON progress stream: an id (a
/// layer's short digest, or the tag) or none, a status ("Pulling fs layer", "Downloading", …)
/// and, for transfers, bytes done out of the total.
/// </summary>
public sealed record TransferProgress(string? Id, string Status, long? Current = null, long? Total = null);

/// <summary>The outcome of a pull.</summary>
/// <param name="Image">The recorded image.</param>
/// <param name="Digest">The digest the reference resolved to at the registry (index or manifest): Docker's "Digest:" line.</param>
/// <param name="UpToDate">True when the reference already named this image here.</param>
public sealed record PullResult(Images.Image Image, Oci.Digest Digest, bool UpToDate);
