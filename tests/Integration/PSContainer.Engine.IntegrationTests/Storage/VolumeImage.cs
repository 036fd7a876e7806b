using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using PSContainer.TestSupport;

namespace PSContainer.Engine.IntegrationTests.Storage;

/// <summary>
/// Builds a docker-archive image on disk: busybox plus one layer with /data (a file owned by
/// 1000:1000 mode 0640, a symlink, a subdirectory) and "VOLUME /data" in its config — the
/// image a Dockerfile with VOLUME would give, without `docker build` or `docker commit`.
/// </summary>
internal static class VolumeImage
{
    public const string Tag = "psc-volume-test:latest";

    public static string Write(string directory)
    {
        var source = TestEnvironment.Image("busybox-docker.tar");
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var input = File.OpenRead(source))
        using (var reader = new TarReader(input))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && entry.DataStream is { } data)
                {
                    using var buffer = new MemoryStream();
                    data.CopyTo(buffer);
                    entries[entry.Name] = buffer.ToArray();
                }
            }
        }
        var manifest = JsonNode.Parse(entries["manifest.json"])!.AsArray()[0]!;
        var config = JsonNode.Parse(entries[manifest["Config"]!.GetValue<string>()])!;
        var layer = Layer();
        var layerDigest = Convert.ToHexStringLower(SHA256.HashData(layer));
        config["rootfs"]!["diff_ids"]!.AsArray().Add("sha256:" + layerDigest);
        var runtime = config["config"] ??= new JsonObject();
        runtime["Volumes"] = new JsonObject { ["/data"] = new JsonObject() };
        config["history"]?.AsArray().Add(new JsonObject { ["created_by"] = "VOLUME /data" });
        var configBytes = Encoding.UTF8.GetBytes(config.ToJsonString());
        var configName = Convert.ToHexStringLower(SHA256.HashData(configBytes)) + ".json";
        var layers = manifest["Layers"]!.AsArray().Select(l => l!.GetValue<string>()).Append(layerDigest + ".tar").ToArray();
        var newManifest = new JsonArray(new JsonObject
        {
            ["Config"] = configName,
            ["RepoTags"] = new JsonArray(Tag),
            ["Layers"] = new JsonArray([.. layers.Select(l => (JsonNode)l)]),
        });

        var path = Path.Combine(directory, "volume-image.tar");
        using var output = File.Create(path);
        using var writer = new TarWriter(output, TarEntryFormat.Pax);
        foreach (var name in manifest["Layers"]!.AsArray().Select(l => l!.GetValue<string>()))
        {
            Add(writer, name, entries[name]);
        }
        Add(writer, layerDigest + ".tar", layer);
        Add(writer, configName, configBytes);
        Add(writer, "manifest.json", Encoding.UTF8.GetBytes(newManifest.ToJsonString()));
        return path;
    }

    private static byte[] Layer()
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "data/") { Mode = (UnixFileMode)Convert.ToInt32("750", 8), Uid = 1000, Gid = 1000 });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "data/sub/") { Mode = (UnixFileMode)Convert.ToInt32("755", 8) });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "data/hello")
            {
                Mode = (UnixFileMode)Convert.ToInt32("640", 8),
                Uid = 1000,
                Gid = 1000,
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes("from the image\n")),
            });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "data/link") { LinkName = "hello" });
        }
        return buffer.ToArray();
    }

    private static void Add(TarWriter writer, string name, byte[] data) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)Convert.ToInt32("644", 8), DataStream = new MemoryStream(data) });
}
