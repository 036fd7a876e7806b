using System.Net;
using System.Net.Http.Headers;
using PSContainer.Engine.Core.Content;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Images;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Distribution;

/// <summary>
/// docker push: layers and config first (each checked with HEAD and skipped when the repository
/// has it, else mounted from another repository of the image on the same registry, else uploaded:
/// one PUT for small blobs, PATCH chunks and a closing PUT for large ones), the manifest last so
/// the tag never points at missing blobs.
/// </summary>
internal sealed class ImagePusher(IContentStore content, IImageStore images, RegistryOptions options)
{
    /// <summary>Blobs up to this size go in one PUT; larger ones in PATCH chunks of this size.</summary>
    private int ChunkSize => Math.Max(1, options.UploadChunkSize);

    public async Task<PushResult> PushAsync(RegistryClient client, ImageReference reference, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var image = images.Get(reference.ToString());
        var repository = reference.Path;
        var scope = RegistryClient.PushScope(repository);
        progress?.Report(new TransferProgress(null, $"The push refers to repository [{reference.Name}]"));
        var mountSources = image.References
            .Where(r => r.Domain == reference.Domain && r.Path != repository)
            .Select(r => r.Path).Distinct(StringComparer.Ordinal).ToList();
        var blobs = image.Manifest.Layers.AsEnumerable().Reverse().Append(image.Manifest.Config).ToList();
        foreach (var blob in blobs.Take(blobs.Count - 1))
        {
            progress?.Report(new TransferProgress(ImagePuller.ShortId(blob.Digest), "Preparing"));
        }
        foreach (var blob in blobs)
        {
            var isConfig = blob == image.Manifest.Config;
            var id = isConfig ? null : ImagePuller.ShortId(blob.Digest);
            if (await client.BlobExistsAsync(repository, blob.Digest, scope, cancellationToken).ConfigureAwait(false))
            {
                Report(progress, id, "Layer already exists");
                continue;
            }
            var mountedFrom = await UploadAsync(client, repository, scope, blob, mountSources, id, progress, cancellationToken).ConfigureAwait(false);
            Report(progress, id, mountedFrom is null ? "Pushed" : $"Mounted from {mountedFrom}");
        }
        var manifestBytes = content.ReadAllBytes(image.Target.Digest);
        var tag = reference.Tag ?? ImageReference.DefaultTag;
        using (await client.SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, $"v2/{repository}/manifests/{tag}") { Content = new ByteArrayContent(manifestBytes) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(image.Target.MediaType);
            return request;
        }, scope, $"manifest {reference}", cancellationToken).ConfigureAwait(false))
        {
        }
        // As dockerd: the pushed repository's digest reference now names the image (RepoDigests),
        // so `docker pull repo@digest` and inspect agree with the registry right after a push.
        images.Create(image.Target, [reference.NameOnly().WithDigest(image.Target.Digest)]);
        progress?.Report(new TransferProgress(null, $"{tag}: digest: {image.Target.Digest} size: {manifestBytes.Length}"));
        return new PushResult(tag, image.Target.Digest, manifestBytes.Length);
    }

    private static void Report(IProgress<TransferProgress>? progress, string? id, string status)
    {
        if (id is not null)
        {
            progress?.Report(new TransferProgress(id, status));
        }
    }

    /// <summary>Uploads one blob; returns the repository it was mounted from instead, if a mount worked.</summary>
    private async Task<string?> UploadAsync(RegistryClient client, string repository, string scope, Descriptor blob, IReadOnlyList<string> mountSources,
        string? id, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var what = $"upload of {blob.Digest} to {client.Domain}/{repository}";
        Uri? location = null;
        foreach (var source in mountSources)
        {
            using var mount = await client.SendAsync(() => new HttpRequestMessage(HttpMethod.Post,
                $"v2/{repository}/blobs/uploads/?mount={Uri.EscapeDataString(blob.Digest.ToString())}&from={Uri.EscapeDataString(source)}"),
                scope, what, cancellationToken).ConfigureAwait(false);
            if (mount.StatusCode == HttpStatusCode.Created)
            {
                return source;
            }
            location = client.Resolve(mount.Headers.Location, what); // 202: the registry opened an ordinary upload instead
            break;
        }
        if (location is null)
        {
            using var start = await client.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, $"v2/{repository}/blobs/uploads/"), scope, what, cancellationToken)
                .ConfigureAwait(false);
            location = client.Resolve(start.Headers.Location, what);
        }
        if (blob.Size <= ChunkSize)
        {
            var data = content.ReadAllBytes(blob.Digest);
            using var put = await client.SendAsync(() => new HttpRequestMessage(HttpMethod.Put, WithDigest(location, blob.Digest))
            {
                Content = Binary(data, 0, data.Length),
            }, scope, what, cancellationToken).ConfigureAwait(false);
            Report(progress, id, "Pushing", blob.Size, blob.Size);
            return null;
        }
        await using (var stream = content.OpenRead(blob.Digest))
        {
            var buffer = new byte[ChunkSize];
            long sent = 0;
            while (sent < blob.Size)
            {
                var length = await stream.ReadAtLeastAsync(buffer, (int)Math.Min(ChunkSize, blob.Size - sent), throwOnEndOfStream: true, cancellationToken).ConfigureAwait(false);
                var offset = sent;
                var target = location;
                using var patch = await client.SendAsync(() =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Patch, target) { Content = Binary(buffer, 0, length) };
                    request.Content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
                    return request;
                }, scope, what, cancellationToken).ConfigureAwait(false);
                location = client.Resolve(patch.Headers.Location, what);
                sent += length;
                Report(progress, id, "Pushing", sent, blob.Size);
            }
        }
        var closing = location;
        using var close = await client.SendAsync(() => new HttpRequestMessage(HttpMethod.Put, WithDigest(closing, blob.Digest)) { Content = Binary([], 0, 0) },
            scope, what, cancellationToken).ConfigureAwait(false);
        return null;
    }

    private static void Report(IProgress<TransferProgress>? progress, string? id, string status, long current, long total)
    {
        if (id is not null)
        {
            progress?.Report(new TransferProgress(id, status, current, total));
        }
    }

    private static ByteArrayContent Binary(byte[] data, int offset, int length)
    {
        var body = new ByteArrayContent(data, offset, length);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return body;
    }

    private static Uri WithDigest(Uri location, Digest digest)
    {
        var separator = string.IsNullOrEmpty(location.Query) ? "?" : "&";
        return new Uri(location + separator + "digest=" + Uri.EscapeDataString(digest.ToString()));
    }
}

/// <summary>The outcome of a push: the tag, the manifest digest and its size (Docker's last progress line).</summary>
public sealed record PushResult(string Tag, Digest Digest, long Size);
