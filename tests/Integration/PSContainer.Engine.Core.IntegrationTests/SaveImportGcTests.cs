using System.Diagnostics;
using System.Formats.Tar;
using System.Text.Json;
using PSContainer.Engine.Core.Archive;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Snapshots;
using PSContainer.Oci;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.Core.IntegrationTests;

public sealed class SaveImportGcTests
{
    private static async Task<Engine.Core.Images.Image> LoadFileAsync(CoreFixture core, string path, string? repository = null)
    {
        await using var stream = File.OpenRead(path);
        return Assert.Single((await core.Services.Archives.LoadAsync(stream, new LoadOptions { DefaultRepository = repository })).Images);
    }

    [RequiresRootTheory]
    [InlineData("layered-oci.tar")]
    [InlineData("layered-docker.tar")]
    public async Task Save_and_load_round_trip_identical_ids_diff_ids_and_names(string source)
    {
        using var first = new CoreFixture("overlayfs");
        var original = await LoadFileAsync(first, TestEnvironment.Image(source), "layered");
        Directory.CreateDirectory(first.Root);
        var dockerArchive = Path.Combine(first.Root, "saved-docker.tar");
        var ociArchive = Path.Combine(first.Root, "saved-oci.tar");
        await using (var output = File.Create(dockerArchive))
        {
            await first.Services.Archives.SaveDockerArchiveAsync(["layered:latest"], output);
        }
        await using (var output = File.Create(ociArchive))
        {
            await first.Services.Archives.SaveOciArchiveAsync(["layered"], output);
        }

        using var second = new CoreFixture("native");
        var fromDocker = await LoadFileAsync(second, dockerArchive);
        Assert.Equal(original.Id, fromDocker.Id);
        Assert.Equal(original.DiffIds, fromDocker.DiffIds);
        Assert.Equal(["layered:latest"], fromDocker.RepoTags);

        using var third = new CoreFixture("overlayfs");
        var fromOci = await LoadFileAsync(third, ociArchive);
        Assert.Equal(original.Id, fromOci.Id);
        Assert.Equal(original.Target.Digest, fromOci.Target.Digest);
        Assert.Equal(["layered:latest"], fromOci.RepoTags);

        // Saving the reloaded image again gives the same bytes: the format is deterministic.
        var again = Path.Combine(first.Root, "saved-again.tar");
        await using (var output = File.Create(again))
        {
            await second.Services.Archives.SaveDockerArchiveAsync(["layered:latest"], output);
        }
        Assert.Equal(Digest.FromBytes(File.ReadAllBytes(dockerArchive)), Digest.FromBytes(File.ReadAllBytes(again)));
    }

    [RequiresRootFact]
    public async Task Skopeo_reads_our_docker_archive_like_we_wrote_it()
    {
        if (!File.Exists("/usr/bin/skopeo"))
        {
            Assert.Fail("skopeo is not installed (scripts/install-deps.sh installs it)");
        }
        using var core = new CoreFixture("overlayfs");
        var image = await LoadFileAsync(core, TestEnvironment.Image("layered-oci.tar"), "layered");
        core.Services.Images.Tag("layered", "localhost:5000/team/layered:v1");
        Directory.CreateDirectory(core.Root);
        var archive = Path.Combine(core.Root, "for-skopeo.tar");
        await using (var output = File.Create(archive))
        {
            await core.Services.Archives.SaveDockerArchiveAsync(["layered:latest", "localhost:5000/team/layered:v1"], output);
        }
        var config = Run("skopeo", "inspect", "--config", "--raw", $"docker-archive:{archive}");
        Assert.Equal(image.Id, Digest.FromBytes(System.Text.Encoding.UTF8.GetBytes(config)));
        using var inspect = JsonDocument.Parse(Run("skopeo", "inspect", $"docker-archive:{archive}"));
        var layers = inspect.RootElement.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()).ToList();
        Assert.Equal(image.DiffIds.Select(d => d.ToString()), layers);
        // skopeo finds the image by each tag we recorded in manifest.json, and not by others.
        using var byTag = JsonDocument.Parse(Run("skopeo", "inspect", $"docker-archive:{archive}:localhost:5000/team/layered:v1"));
        Assert.Equal(layers, byTag.RootElement.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()));
        Run("skopeo", "inspect", $"docker-archive:{archive}:docker.io/library/layered:latest");
        Assert.ThrowsAny<Exception>(() => Run("skopeo", "inspect", $"docker-archive:{archive}:layered:missing"));
        Assert.Equal("amd64", inspect.RootElement.GetProperty("Architecture").GetString());
    }

    [RequiresRootFact]
    public async Task Saving_a_repository_without_a_tag_saves_every_tag_of_it()
    {
        using var core = new CoreFixture("native");
        await LoadFileAsync(core, TestEnvironment.Image("busybox-docker.tar"));
        core.Services.Images.Tag("busybox", "busybox:other");
        using var output = new MemoryStream();
        await core.Services.Archives.SaveDockerArchiveAsync(["busybox"], output);
        output.Position = 0;
        var manifest = ReadMember(output, "manifest.json");
        Assert.Contains("busybox:latest", manifest, StringComparison.Ordinal);
        Assert.Contains("busybox:other", manifest, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public async Task Import_makes_a_one_layer_image_from_a_rootfs_tarball()
    {
        using var core = new CoreFixture("overlayfs");
        using var rootfs = new MemoryStream();
        using (var writer = new TarWriter(rootfs, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "etc/") { Mode = (UnixFileMode)0x1ED });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "etc/hostname") { DataStream = new MemoryStream("imported\n"u8.ToArray()), Mode = (UnixFileMode)0x1A4 });
        }
        rootfs.Position = 0;
        var image = await core.Services.Archives.ImportRootfsAsync(rootfs, new ImportOptions
        {
            Reference = "imported:v1",
            Message = "from a test",
            Config = new ImageRuntimeConfig { Cmd = ["/bin/sh"], Env = ["A=b"] },
        });
        Assert.Equal(["imported:v1"], image.RepoTags);
        Assert.Single(image.DiffIds);
        Assert.Equal(["/bin/sh"], image.Config.Config!.Cmd!);
        Assert.Equal("from a test", Assert.Single(image.Config.History!).Comment);
        Assert.Equal("linux", image.Config.OS);
        var root = await core.MountImageAsync("imported:v1");
        Assert.Equal("imported\n", File.ReadAllText(Path.Combine(root, "etc/hostname")));

        var bad = await Assert.ThrowsAsync<CoreException>(() => core.Services.Archives.ImportRootfsAsync(new MemoryStream([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3])));
        Assert.Contains("zstd", bad.Message, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public async Task Container_rootfs_is_writable_and_separate_from_the_image()
    {
        using var core = new CoreFixture("overlayfs");
        await LoadFileAsync(core, TestEnvironment.Image("busybox-docker.tar"));
        var mounts = await core.Services.Rootfs.PrepareAsync("busybox", "container-1");
        var root = core.Mount(mounts);
        File.WriteAllText(Path.Combine(root, "etc/written-by-container"), "x");
        Assert.True(File.Exists(Path.Combine(root, "bin/busybox")));
        var again = await Assert.ThrowsAsync<CoreException>(() => core.Services.Rootfs.PrepareAsync("busybox", "container-1"));
        Assert.Equal(CoreErrorKind.AlreadyExists, again.Kind);
        Assert.Equal(mounts, core.Services.Rootfs.Mounts("container-1"));
        var view = await core.MountImageAsync("busybox");
        Assert.False(File.Exists(Path.Combine(view, "etc/written-by-container")));
        core.Unmount(root);
        core.Services.Rootfs.Remove("container-1");
        Assert.DoesNotContain(core.Services.Snapshotter.Walk(), s => s.Name == "container-1");
    }

    [RequiresRootFact]
    public async Task Gc_removes_what_no_image_or_container_uses_and_keeps_the_rest()
    {
        using var core = new CoreFixture("overlayfs");
        var busybox = await LoadFileAsync(core, TestEnvironment.Image("busybox-docker.tar"));
        var layered = await LoadFileAsync(core, TestEnvironment.Image("layered-oci.tar"), "layered");
        await core.Services.Rootfs.PrepareAsync("layered", "container-1");

        // Only the container holds the layered layers now.
        core.Services.Images.Delete(layered.Id);
        var kept = core.Services.Gc.Collect(["container-1"]);
        Assert.Empty(kept.RemovedSnapshots);
        Assert.Contains(layered.Target.Digest.ToString(), kept.RemovedBlobs);
        Assert.DoesNotContain(busybox.Target.Digest.ToString(), kept.RemovedBlobs);

        // A container rootfs the daemon has not recorded yet (it is being created) is not collected.
        await core.Services.Rootfs.PrepareAsync("busybox", "container-being-created");
        Assert.Empty(core.Services.Gc.Collect(["container-1"]).RemovedSnapshots);
        core.Services.Rootfs.Remove("container-being-created");

        // Without the container, the layered-only snapshots go; busybox's shared base layer stays.
        core.Services.Rootfs.Remove("container-1");
        var result = core.Services.Gc.Collect([]);
        Assert.Equal(3, result.RemovedSnapshots.Count);
        Assert.Equal([busybox.ChainIds[0].ToString()], core.Services.Snapshotter.Walk().Select(s => s.Name));
        Assert.True(core.Services.Content.Exists(busybox.Manifest.Layers[0].Digest));
        Assert.False(core.Services.Content.Exists(layered.Manifest.Layers[^1].Digest));
        var root = await core.MountImageAsync("busybox");
        Assert.True(File.Exists(Path.Combine(root, "bin/busybox")));
    }

    [RequiresRootFact]
    public async Task A_lease_keeps_fresh_blobs_and_snapshots_from_gc()
    {
        using var core = new CoreFixture("native");
        using (var lease = core.Services.Gc.CreateLease("test"))
        {
            var descriptor = await Content.ContentStoreExtensions.WriteBlobAsync(core.Services.Content, "text/plain", "orphan"u8.ToArray());
            core.Services.Snapshotter.Prepare("orphan-snapshot", null);
            var result = core.Services.Gc.Collect([]);
            Assert.Empty(result.RemovedBlobs);
            Assert.Empty(result.RemovedSnapshots);
            Assert.True(core.Services.Content.Exists(descriptor.Digest));
        }
        var after = core.Services.Gc.Collect([]);
        Assert.Single(after.RemovedBlobs);
        Assert.Equal(["orphan-snapshot"], after.RemovedSnapshots);
    }

    private static string ReadMember(Stream tar, string name)
    {
        using var reader = new TarReader(tar, leaveOpen: true);
        TarEntry? entry;
        while ((entry = reader.GetNextEntry()) is not null)
        {
            if (entry.Name == name)
            {
                using var text = new StreamReader(entry.DataStream!);
                return text.ReadToEnd();
            }
        }
        throw new InvalidOperationException($"{name} not in the archive");
    }

    private static string Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} failed: {stderr}");
        return stdout;
    }
}
