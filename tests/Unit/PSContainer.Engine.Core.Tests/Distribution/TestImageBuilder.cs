using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Tests.Distribution;

/// <summary>Builds small real images (gzip layers, config, manifest, index) and publishes them to a <see cref="FakeRegistry"/>.</summary>
internal static class TestImageBuilder
{
    public sealed record Built(Descriptor Manifest, Descriptor Config, IReadOnlyList<(Descriptor Descriptor, byte[] Blob)> Layers);

    /// <summary>A layer: a gzip (or, for a zstd media type, zstd) tar holding one file named <paramref name="file"/>.</summary>
    public static (byte[] Gzip, Digest DiffId) Layer(string file, string content, string mediaType = MediaTypes.OciLayerGzip)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, file)
            {
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            };
            writer.WriteEntry(entry);
        }
        var raw = tar.ToArray();
        if (MediaTypes.LayerCompressionOf(mediaType) == LayerCompression.Zstd)
        {
            return (ZstdCompress(raw), Digest.FromBytes(raw));
        }
        using var gz = new MemoryStream();
        using (var gzip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(raw);
        }
        return (gz.ToArray(), Digest.FromBytes(raw));
    }

    /// <summary>The zstd program's compression of <paramref name="data"/>.</summary>
    private static byte[] ZstdCompress(byte[] data)
    {
        var start = new System.Diagnostics.ProcessStartInfo("zstd", ["-q", "-c"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = new MemoryStream();
        var reader = process.StandardOutput.BaseStream.CopyToAsync(output);
        process.StandardInput.BaseStream.Write(data);
        process.StandardInput.Close();
        reader.GetAwaiter().GetResult();
        process.WaitForExit();
        return process.ExitCode == 0 ? output.ToArray() : throw new InvalidOperationException($"zstd -c exited {process.ExitCode}");
    }

    /// <summary>Publishes an image of <paramref name="layerCount"/> layers (as <paramref name="architecture"/>) under repository/tag.</summary>
    /// <param name="mangle">Changes each compressed layer before it is digested and published (for corrupt-content tests).</param>
    public static Built Publish(FakeRegistry registry, string repository, string? tag, int layerCount, string architecture = "amd64",
        string layerMediaType = MediaTypes.OciLayerGzip, string seed = "", Func<byte[], byte[]>? mangle = null)
    {
        var layers = new List<(Descriptor, byte[])>();
        var diffIds = new List<Digest>();
        for (var i = 0; i < layerCount; i++)
        {
            var (gzip, diffId) = Layer($"file{i}", $"layer {i} of {architecture}{seed}", layerMediaType);
            gzip = mangle?.Invoke(gzip) ?? gzip;
            var descriptor = new Descriptor { MediaType = layerMediaType, Digest = Digest.FromBytes(gzip), Size = gzip.Length };
            registry.Blobs[descriptor.Digest.ToString()] = gzip;
            layers.Add((descriptor, gzip));
            diffIds.Add(diffId);
        }
        var config = new OciImage
        {
            Architecture = architecture,
            OS = "linux",
            Config = new ImageRuntimeConfig { Cmd = ["/file0"] },
            RootFs = new ImageRootFs { DiffIds = diffIds },
        };
        var configBytes = JsonSerializer.SerializeToUtf8Bytes(config, ImageJsonContext.Default.OciImage);
        var configDescriptor = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = Digest.FromBytes(configBytes), Size = configBytes.Length };
        registry.Blobs[configDescriptor.Digest.ToString()] = configBytes;
        var manifest = new ImageManifest { MediaType = MediaTypes.OciManifest, Config = configDescriptor, Layers = [.. layers.Select(l => l.Item1)] };
        var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ImageJsonContext.Default.ImageManifest);
        registry.AddManifest(repository, tag ?? Digest.FromBytes(manifestBytes).ToString(), MediaTypes.OciManifest, manifestBytes);
        var manifestDescriptor = new Descriptor
        {
            MediaType = MediaTypes.OciManifest,
            Digest = Digest.FromBytes(manifestBytes),
            Size = manifestBytes.Length,
            Platform = new Platform { OS = "linux", Architecture = architecture },
        };
        return new Built(manifestDescriptor, configDescriptor, layers);
    }

    /// <summary>Publishes an index over <paramref name="manifests"/> under repository:tag; returns its digest.</summary>
    public static Digest PublishIndex(FakeRegistry registry, string repository, string tag, params Descriptor[] manifests)
    {
        var index = new ImageIndex { MediaType = MediaTypes.OciIndex, Manifests = [.. manifests] };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(index, ImageJsonContext.Default.ImageIndex);
        registry.AddManifest(repository, tag, MediaTypes.OciIndex, bytes);
        return Digest.FromBytes(bytes);
    }
}
