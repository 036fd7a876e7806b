using PSContainer.Engine.Core.Errdefs;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Content;

/// <summary>Convenience operations over <see cref="IContentStore"/>.</summary>
public static class ContentStoreExtensions
{
    /// <summary>Reads a whole (small) blob: manifests, indexes, configs.</summary>
    public static byte[] ReadAllBytes(this IContentStore store, Digest digest)
    {
        using var stream = store.OpenRead(digest);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>
    /// Writes <paramref name="source"/> as a blob, verified against <paramref name="expected"/> and
    /// <paramref name="size"/> when given. Returns the digest; a blob that is already present is
    /// not written again (the source is not read then).
    /// </summary>
    public static async Task<Digest> WriteBlobAsync(this IContentStore store, string reference, Stream source, long size = -1,
        Digest? expected = null, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        IContentWriter writer;
        try
        {
            writer = await store.OpenWriterAsync(reference, size, expected, cancellationToken).ConfigureAwait(false);
        }
        catch (CoreException e) when (e.Kind == CoreErrorKind.AlreadyExists && expected is { } existing)
        {
            return existing;
        }
        await using (writer.ConfigureAwait(false))
        {
            if (writer.Offset > 0)
            {
                if (!source.CanSeek)
                {
                    // A stream we cannot skip in: start the ingest again from zero.
                    await writer.DisposeAsync().ConfigureAwait(false);
                    store.Abort(reference);
                    return await store.WriteBlobAsync(reference, source, size, expected, labels, cancellationToken).ConfigureAwait(false);
                }
                source.Seek(writer.Offset, SeekOrigin.Begin);
            }
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
            try
            {
                return await writer.CommitAsync(size, expected, labels, cancellationToken).ConfigureAwait(false);
            }
            catch (CoreException e) when (e.Kind == CoreErrorKind.AlreadyExists)
            {
                return writer.CurrentDigest();
            }
        }
    }

    /// <summary>Writes a small in-memory blob (a manifest or config) and returns its descriptor.</summary>
    public static async Task<Descriptor> WriteBlobAsync(this IContentStore store, string mediaType, ReadOnlyMemory<byte> data,
        IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        var digest = Digest.FromBytes(data.Span);
        using var stream = new MemoryStream(data.ToArray(), writable: false);
        await store.WriteBlobAsync($"blob-{digest}", stream, data.Length, digest, labels, cancellationToken).ConfigureAwait(false);
        return new Descriptor { MediaType = mediaType, Digest = digest, Size = data.Length };
    }
}
