using PSContainer.Engine.Core.Images;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Archive;

/// <summary>An image whose blobs are in the content store but which is not recorded yet.</summary>
internal sealed record PendingImage(Descriptor Manifest, ImageManifest ParsedManifest, OciImage Config, Descriptor? Index, IReadOnlyList<ImageReference> Names);
