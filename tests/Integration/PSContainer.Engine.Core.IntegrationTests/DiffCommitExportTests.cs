using System.Formats.Tar;
using PSContainer.Engine.Core.Archive;
using PSContainer.Engine.Core.Diff;
using PSContainer.Engine.Core.Images;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.Core.IntegrationTests;

/// <summary>docker diff, commit and export over a container snapshot, on both snapshotters.</summary>
public sealed class DiffCommitExportTests
{
    private static async Task<string> PrepareChangedContainerAsync(CoreFixture core)
    {
        await using (var stream = File.OpenRead(TestEnvironment.Image("busybox-docker.tar")))
        {
            await core.Services.Archives.LoadAsync(stream);
        }
        var root = core.Mount(await core.Services.Rootfs.PrepareAsync("busybox", "c1"));
        File.WriteAllText(Path.Combine(root, "etc/new"), "added\n");
        File.AppendAllText(Path.Combine(root, "etc/passwd"), "extra:x:1234:1234::/:/bin/sh\n");
        File.Delete(Path.Combine(root, "etc/group"));
        Directory.CreateDirectory(Path.Combine(root, "newdir/sub"));
        File.WriteAllText(Path.Combine(root, "newdir/sub/file"), "deep\n");
        core.Unmount(root);
        return root;
    }

    [RequiresRootTheory]
    [InlineData("overlayfs")]
    [InlineData("native")]
    public async Task Changes_list_added_modified_and_deleted_paths(string snapshotter)
    {
        using var core = new CoreFixture(snapshotter);
        await PrepareChangedContainerAsync(core);
        var changes = core.Services.Differ.Changes("c1");
        Assert.Equal(
            [
                new FileChange("/etc", ChangeKind.Modified),
                new FileChange("/etc/group", ChangeKind.Deleted),
                new FileChange("/etc/new", ChangeKind.Added),
                new FileChange("/etc/passwd", ChangeKind.Modified),
                new FileChange("/newdir", ChangeKind.Added),
                new FileChange("/newdir/sub", ChangeKind.Added),
                new FileChange("/newdir/sub/file", ChangeKind.Added),
            ],
            changes);
    }

    [RequiresRootTheory]
    [InlineData("overlayfs")]
    [InlineData("native")]
    public async Task Commit_makes_an_image_whose_top_layer_holds_the_changes(string snapshotter)
    {
        using var core = new CoreFixture(snapshotter);
        await PrepareChangedContainerAsync(core);
        var baseImage = core.Services.Images.Get("busybox");
        var committed = await core.Services.Committer.CommitAsync("c1", new CommitOptions
        {
            Reference = "committed:v1",
            Comment = "test commit",
            Author = "tester",
            CreatedBy = "sh -c edits",
        });
        Assert.Equal(["committed:v1"], committed.RepoTags);
        Assert.Equal(baseImage.DiffIds.Count + 1, committed.DiffIds.Count);
        Assert.Equal(baseImage.Config.Config!.Cmd, committed.Config.Config!.Cmd);
        Assert.Equal("sh -c edits", committed.Config.History![^1].CreatedBy);
        Assert.NotEqual(baseImage.Id, committed.Id);

        var view = await core.MountImageAsync("committed:v1");
        Assert.Equal("added\n", File.ReadAllText(Path.Combine(view, "etc/new")));
        Assert.Contains("extra:x:1234", File.ReadAllText(Path.Combine(view, "etc/passwd")), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(view, "etc/group")));
        Assert.Equal("deep\n", File.ReadAllText(Path.Combine(view, "newdir/sub/file")));
        Assert.True(File.Exists(Path.Combine(view, "bin/busybox")));

        // The committed image saves and loads elsewhere with the same id.
        using var saved = new MemoryStream();
        await core.Services.Archives.SaveDockerArchiveAsync(["committed:v1"], saved);
        saved.Position = 0;
        using var other = new CoreFixture(snapshotter == "native" ? "overlayfs" : "native");
        var reloaded = Assert.Single((await other.Services.Archives.LoadAsync(saved)).Images);
        Assert.Equal(committed.Id, reloaded.Id);
        var otherView = await other.MountImageAsync("committed:v1");
        Assert.False(File.Exists(Path.Combine(otherView, "etc/group")));
    }

    [RequiresRootTheory]
    [InlineData("overlayfs")]
    [InlineData("native")]
    public async Task Export_writes_the_merged_tree(string snapshotter)
    {
        using var core = new CoreFixture(snapshotter);
        await PrepareChangedContainerAsync(core);
        using var output = new MemoryStream();
        await core.Services.Differ.ExportAsync("c1", output);
        output.Position = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        using (var reader = new TarReader(output))
        {
            TarEntry? entry;
            while ((entry = reader.GetNextEntry()) is not null)
            {
                names.Add(entry.Name);
            }
        }
        Assert.Contains("etc/new", names);
        Assert.Contains("etc/passwd", names);
        Assert.Contains("bin/busybox", names);
        Assert.Contains("newdir/sub/file", names);
        Assert.DoesNotContain("etc/group", names);
        Assert.DoesNotContain(names, n => n.Contains(".wh.", StringComparison.Ordinal));
    }
}
