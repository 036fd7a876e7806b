using PSContainer.Engine.Core.Archive;
using PSContainer.Engine.Core.Diff;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Snapshots;
using PSContainer.Interop.Linux;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.Core.IntegrationTests;

/// <summary>Loads the real test images (../shared/images/make-test-images.sh) on both snapshotters.</summary>
public sealed class ImageLoadTests
{
    // The busybox config blob: skopeo wrote the same bytes into the OCI layout and the docker-archive.
    private const string BusyboxId = "sha256:7444004957521cd28ba8aed05206dfc2ec9e13a2d40b28c4fdf5a6526cf28829";

    private static async Task<LoadResult> LoadAsync(CoreFixture core, string image, string? defaultRepository = null)
    {
        var path = TestEnvironment.Image(image);
        var options = new LoadOptions { DefaultRepository = defaultRepository };
        if (Directory.Exists(path))
        {
            return await core.Services.Archives.LoadOciLayoutAsync(path, options);
        }
        await using var stream = File.OpenRead(path);
        return await core.Services.Archives.LoadAsync(stream, options);
    }

    [RequiresRootTheory]
    [InlineData("overlayfs", "busybox-docker.tar")]
    [InlineData("overlayfs", "busybox-oci.tar")]
    [InlineData("overlayfs", "busybox-oci")]
    [InlineData("native", "busybox-docker.tar")]
    [InlineData("native", "busybox-oci.tar")]
    [InlineData("native", "busybox-oci")]
    public async Task Busybox_loads_with_its_id_name_and_config_and_unpacks(string snapshotter, string archive)
    {
        using var core = new CoreFixture(snapshotter);
        var result = await LoadAsync(core, archive, defaultRepository: "busybox");
        var image = Assert.Single(result.Images);
        Assert.Equal(BusyboxId, image.Id.ToString());
        Assert.Equal(["busybox:latest"], image.RepoTags);
        Assert.Equal(["Loaded image: busybox:latest"], result.Messages);
        Assert.Equal(["sh"], image.Config.Config!.Cmd!);
        Assert.Equal(BusyboxId, core.Services.Images.Get("busybox").Id.ToString());
        Assert.Equal(BusyboxId, core.Services.Images.Get(image.ShortId).Id.ToString());

        var root = await core.MountImageAsync("busybox");
        Assert.True(File.Exists(Path.Combine(root, "bin/busybox")));
        Assert.Contains("root:", File.ReadAllText(Path.Combine(root, "etc/passwd")), StringComparison.Ordinal);
        // The single layer is a committed snapshot named by its chain id (= diff id for one layer).
        Assert.Equal(SnapshotKind.Committed, core.Services.Snapshotter.Stat(image.DiffIds[0].ToString()).Kind);
    }

    [RequiresRootFact]
    public async Task An_oci_layout_whose_ref_name_is_only_a_tag_loads_untagged_without_a_repository()
    {
        using var core = new CoreFixture("overlayfs");
        var result = await LoadAsync(core, "busybox-oci"); // its index.json says ref.name "latest"
        var image = Assert.Single(result.Images);
        Assert.Empty(image.RepoTags);
        Assert.Equal([$"Loaded image ID: {BusyboxId}"], result.Messages);
    }

    [RequiresRootTheory]
    [InlineData("overlayfs", "layered-docker.tar")]
    [InlineData("overlayfs", "layered-oci.tar")]
    [InlineData("native", "layered-docker.tar")]
    [InlineData("native", "layered-oci.tar")]
    public async Task The_layered_image_unpacks_with_whiteouts_opaque_dirs_links_modes_owners_and_fifos(string snapshotter, string archive)
    {
        using var core = new CoreFixture(snapshotter);
        var image = Assert.Single((await LoadAsync(core, archive, "layered")).Images);
        Assert.Equal(4, image.DiffIds.Count);
        Assert.Equal(["/bin/sh", "-c"], image.Config.Config!.Entrypoint!);
        Assert.Equal("/data", image.Config.Config.WorkingDir);
        Assert.Equal("layered", image.Config.Config.Labels!["org.example.test"]);

        var root = await core.MountImageAsync(image.Id.ToString());
        string P(string relative) => Path.Combine(root, relative);
        Assert.False(File.Exists(P("data/remove-me")), "whiteout: /data/remove-me must be gone");
        Assert.Equal(["c"], Directory.GetFileSystemEntries(P("data/dir")).Select(Path.GetFileName));
        Assert.Equal(FileStat.Lstat(P("data/keep")).Ino, FileStat.Lstat(P("data/keep-hardlink")).Ino);
        Assert.Equal("keep", FileStat.ReadLink(P("data/keep-symlink")));
        var suid = FileStat.Lstat(P("data/suid"));
        Assert.Equal(0x800u, suid.Mode & 0x800u);
        var owned = FileStat.Lstat(P("data/owned"));
        Assert.Equal((1000u, 1000u), (owned.Uid, owned.Gid));
        Assert.Equal(Libc.S_IFIFO, FileStat.Lstat(P("data/fifo")).FileType);
        Assert.Equal("layered test image\n", File.ReadAllText(P("etc/motd")));
        Assert.True(File.Exists(P("bin/busybox")));
    }

    [RequiresRootFact]
    public async Task Layers_shared_between_images_are_unpacked_once()
    {
        using var core = new CoreFixture("overlayfs");
        var busybox = Assert.Single((await LoadAsync(core, "busybox-docker.tar")).Images);
        var before = core.Services.Snapshotter.Walk().Count;
        var layered = Assert.Single((await LoadAsync(core, "layered-oci.tar", "layered")).Images);
        Assert.Equal(busybox.ChainIds[0], layered.ChainIds[0]);
        Assert.Equal(before + 3, core.Services.Snapshotter.Walk().Count);
    }

    [RequiresRootFact]
    public async Task A_corrupted_layer_fails_the_load_and_leaves_no_image()
    {
        using var core = new CoreFixture("overlayfs");
        var corrupted = Path.Combine(core.Root, "corrupted.tar");
        Directory.CreateDirectory(core.Root);
        ArchiveMutator.Rewrite(TestEnvironment.Image("busybox-docker.tar"), corrupted, (name, data) =>
        {
            if (name.EndsWith(".tar", StringComparison.Ordinal) && data.Length > 4096)
            {
                data[4000] ^= 0xff; // inside the first file's content, so the tar still parses
            }
            return data;
        });
        await using (var stream = File.OpenRead(corrupted))
        {
            var error = await Assert.ThrowsAsync<CoreException>(() => core.Services.Archives.LoadAsync(stream));
            Assert.Equal(CoreErrorKind.DataCorrupted, error.Kind);
            Assert.Contains("diff id", error.Message, StringComparison.Ordinal);
        }
        Assert.Empty(core.Services.Images.List());
        Assert.DoesNotContain(core.Services.Snapshotter.Walk(), s => s.Kind == SnapshotKind.Committed);
        Assert.Empty(core.Services.Snapshotter.Walk());
    }

    [RequiresRootFact]
    public async Task A_corrupted_blob_in_an_oci_archive_is_rejected_by_digest()
    {
        using var core = new CoreFixture("native");
        var corrupted = Path.Combine(core.Root, "corrupted-oci.tar");
        Directory.CreateDirectory(core.Root);
        ArchiveMutator.Rewrite(TestEnvironment.Image("busybox-oci.tar"), corrupted, (name, data) =>
        {
            if (name.StartsWith("blobs/sha256/", StringComparison.Ordinal) && data.Length > 100_000)
            {
                data[^10] ^= 0xff;
            }
            return data;
        });
        await using var stream = File.OpenRead(corrupted);
        var error = await Assert.ThrowsAsync<CoreException>(() => core.Services.Archives.LoadAsync(stream));
        Assert.Equal(CoreErrorKind.DataCorrupted, error.Kind);
        Assert.Contains("digest mismatch", error.Message, StringComparison.Ordinal);
        Assert.Empty(core.Services.Images.List());
    }

    [RequiresRootFact]
    public async Task Archives_that_are_not_image_archives_are_refused_clearly()
    {
        using var core = new CoreFixture("native");
        var error = await Assert.ThrowsAsync<CoreException>(() => core.Services.Archives.LoadAsync(new MemoryStream(new byte[1024])));
        Assert.Equal(CoreErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("neither a docker-archive", error.Message, StringComparison.Ordinal);
        var garbage = await Assert.ThrowsAsync<CoreException>(() => core.Services.Archives.LoadAsync(new MemoryStream("not a tar at all, just text that goes on"u8.ToArray())));
        Assert.Equal(CoreErrorKind.InvalidArgument, garbage.Kind);
    }
}
