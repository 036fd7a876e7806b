using PSContainer.Engine.Core.Diff;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Snapshots;
using PSContainer.Engine.Core.Tests.Diff;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Snapshots;

/// <summary>
/// One set of behaviours every snapshotter must show (containerd's approach): run against the
/// overlay and the copying snapshotter by the subclasses below. Tests that mount need root.
/// </summary>
public abstract class SnapshotterConformance : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly List<string> _mounted = [];

    protected SnapshotterConformance()
    {
        Snapshotter = Create(_dir.Combine("snapshots"));
    }

    protected ISnapshotter Snapshotter { get; }

    protected abstract ISnapshotter Create(string root);

    public void Dispose()
    {
        foreach (var target in _mounted)
        {
            Mounter.UnmountAll(target);
        }
        _dir.Dispose();
    }

    /// <summary>Prepares key on parent, applies the tar into it and commits it as name.</summary>
    private void Layer(string name, string? parent, TarBuilder tar)
    {
        var key = "extract " + name;
        Snapshotter.Prepare(key, parent);
        using (var stream = tar.Build())
        {
            LayerApplier.Apply(stream, Snapshotter.ApplyTargetOf(key));
        }
        Snapshotter.Commit(name, key);
    }

    private string MountView(string key, string parent)
    {
        var mounts = Snapshotter.View(key, parent);
        return MountAt(key, mounts);
    }

    private string MountAt(string key, IReadOnlyList<SnapshotMount> mounts)
    {
        var target = _dir.Combine("mnt-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(target);
        Mounter.MountAll(mounts, target);
        _mounted.Add(target);
        return target;
    }

    [Fact]
    public void Prepare_commit_and_stat_track_kind_parent_and_labels()
    {
        Snapshotter.Prepare("a-active", null, new Dictionary<string, string> { ["l"] = "1" });
        Assert.Equal(SnapshotKind.Active, Snapshotter.Stat("a-active").Kind);
        Snapshotter.Commit("a", "a-active");
        var a = Snapshotter.Stat("a");
        Assert.Equal(SnapshotKind.Committed, a.Kind);
        Assert.Null(a.Parent);
        Assert.Equal("1", a.Labels["l"]);
        Assert.Equal(CoreErrorKind.NotFound, Assert.Throws<CoreException>(() => Snapshotter.Stat("a-active")).Kind);

        Snapshotter.Prepare("b-active", "a");
        Assert.Equal("a", Snapshotter.Stat("b-active").Parent);
        Snapshotter.View("v", "a");
        Assert.Equal(SnapshotKind.View, Snapshotter.Stat("v").Kind);
        Assert.Equal(["a", "b-active", "v"], Snapshotter.Walk().Select(s => s.Name).Order());
        Assert.Equal("2", Snapshotter.UpdateLabels("a", new Dictionary<string, string?> { ["l"] = "2" }).Labels["l"]);
    }

    [Fact]
    public void Misuse_gives_clear_errors()
    {
        Snapshotter.Prepare("active", null);
        Assert.Equal(CoreErrorKind.AlreadyExists, Assert.Throws<CoreException>(() => Snapshotter.Prepare("active", null)).Kind);
        Assert.Equal(CoreErrorKind.NotFound, Assert.Throws<CoreException>(() => Snapshotter.Prepare("x", "missing")).Kind);
        Assert.Equal(CoreErrorKind.InvalidArgument, Assert.Throws<CoreException>(() => Snapshotter.Prepare("y", "active")).Kind);
        Snapshotter.View("view", null);
        Assert.Equal(CoreErrorKind.FailedPrecondition, Assert.Throws<CoreException>(() => Snapshotter.Commit("c", "view")).Kind);
        Snapshotter.Commit("base", "active");
        Snapshotter.Prepare("child", "base");
        var error = Assert.Throws<CoreException>(() => Snapshotter.Remove("base"));
        Assert.Equal(CoreErrorKind.FailedPrecondition, error.Kind);
        Assert.Contains("child", error.Message, StringComparison.Ordinal);
        Assert.Equal(CoreErrorKind.InvalidArgument, Assert.Throws<CoreException>(() => Snapshotter.Mounts("base")).Kind);
    }

    [Fact]
    public void Remove_deletes_the_snapshot_and_its_files()
    {
        Layer("base", null, new TarBuilder().File("f", "x"));
        var dirs = Snapshotter.LayerDirectories("base");
        Assert.True(File.Exists(Path.Combine(dirs[0], "f")));
        Snapshotter.Remove("base");
        Assert.Empty(Snapshotter.Walk());
        Assert.False(Directory.Exists(dirs[0]));
    }

    [Fact]
    public void Snapshots_survive_reopening_the_snapshotter()
    {
        Layer("base", null, new TarBuilder().File("f", "x"));
        Snapshotter.Prepare("work", "base");
        var reopened = Create(_dir.Combine("snapshots"));
        Assert.Equal(["base", "work"], reopened.Walk().Select(s => s.Name).Order());
        Assert.Equal(Snapshotter.Mounts("work"), reopened.Mounts("work"), new MountComparer());
    }

    [Fact]
    public void Directories_left_by_a_crash_are_removed_on_open()
    {
        Layer("base", null, new TarBuilder().File("f", "x"));
        var snapshots = Path.Combine(_dir.Combine("snapshots"), "snapshots");
        Directory.CreateDirectory(Path.Combine(snapshots, ".new-0123456789abcdef", "fs"));
        Directory.CreateDirectory(Path.Combine(snapshots, "fedcba9876543210", "fs"));
        var reopened = Create(_dir.Combine("snapshots"));
        Assert.Equal(["base"], reopened.Walk().Select(s => s.Name));
        Assert.Single(Directory.GetDirectories(snapshots));
        Assert.True(File.Exists(Path.Combine(reopened.LayerDirectories("base")[0], "f")));
    }

    [Fact]
    public void Usage_counts_the_snapshot_own_files()
    {
        Layer("base", null, new TarBuilder().File("big", new string('x', 100_000)));
        var usage = Snapshotter.Usage("base");
        Assert.True(usage.Size >= 100_000, $"usage {usage.Size}");
        Assert.True(usage.Inodes >= 2);
    }

    [Fact]
    public void DiffSize_is_the_layer_content_as_docker_history_counts_it()
    {
        // File lengths (a hard link once), a symlink's target length, directories and FIFOs nothing:
        // what dockerd's overlay2 reports as a layer's DiffSize (checked against dockerd 20.10 with the layered test image).
        Layer("base", null, new TarBuilder()
            .Dir("data/").File("data/big", new string('x', 1000)).HardLink("data/big-link", "data/big")
            .Symlink("data/to-big", "big").Fifo("data/fifo"));
        Layer("top", "base", new TarBuilder().File("etc/motd", new string('m', 19)));

        Assert.Equal(1000 + 3, Snapshotter.DiffSize("base"));
        Assert.Equal(19, Snapshotter.DiffSize("top"));
        Assert.Equal(CoreErrorKind.NotFound, Assert.Throws<CoreException>(() => Snapshotter.DiffSize("missing")).Kind);
    }

    [RequiresRootFact]
    public void A_view_shows_the_layers_merged_with_whiteouts_and_opaque_directories_applied()
    {
        Layer("l1", null, new TarBuilder()
            .File("data/keep", "keep").File("data/remove-me", "r").File("data/dir/a", "a").File("data/dir/b", "b"));
        Layer("l2", "l1", new TarBuilder()
            .File("data/.wh.remove-me", "")
            .Dir("data/dir/").File("data/dir/.wh..wh..opq", "").File("data/dir/c", "c"));
        Layer("l3", "l2", new TarBuilder().File("etc/motd", "hi"));

        var root = MountView("view", "l3");
        Assert.Equal("keep", File.ReadAllText(Path.Combine(root, "data/keep")));
        Assert.False(File.Exists(Path.Combine(root, "data/remove-me")));
        Assert.Equal(["c"], Directory.GetFileSystemEntries(Path.Combine(root, "data/dir")).Select(Path.GetFileName));
        Assert.Equal("hi", File.ReadAllText(Path.Combine(root, "etc/motd")));
        // EROFS: the view is read-only.
        Assert.ThrowsAny<IOException>(() => File.WriteAllText(Path.Combine(root, "new"), "x"));
    }

    [RequiresRootFact]
    public void An_active_snapshot_is_writable_and_leaves_its_parent_unchanged()
    {
        Layer("base", null, new TarBuilder().File("f", "original"));
        var root = MountAt("c1", Snapshotter.Prepare("c1", "base"));
        File.WriteAllText(Path.Combine(root, "f"), "changed");
        File.WriteAllText(Path.Combine(root, "new"), "new");
        var other = MountAt("c2", Snapshotter.Prepare("c2", "base"));
        Assert.Equal("original", File.ReadAllText(Path.Combine(other, "f")));
        Assert.False(File.Exists(Path.Combine(other, "new")));

        // Committing the container's changes makes a layer others can build on.
        Mounter.UnmountAll(root);
        Snapshotter.Commit("c1-committed", "c1");
        var view = MountView("v", "c1-committed");
        Assert.Equal("changed", File.ReadAllText(Path.Combine(view, "f")));
        Assert.Equal("new", File.ReadAllText(Path.Combine(view, "new")));
    }

    [RequiresRootFact]
    public void An_empty_active_snapshot_mounts()
    {
        var root = MountAt("empty", Snapshotter.Prepare("empty", null));
        File.WriteAllText(Path.Combine(root, "f"), "x");
        Assert.True(File.Exists(Path.Combine(Snapshotter.LayerDirectories("empty")[0], "f")));
    }

    private sealed class MountComparer : IEqualityComparer<SnapshotMount>
    {
        public bool Equals(SnapshotMount? x, SnapshotMount? y) =>
            x is not null && y is not null && x.Type == y.Type && x.Source == y.Source && x.Options.SequenceEqual(y.Options);

        public int GetHashCode(SnapshotMount obj) => obj.Type.GetHashCode(StringComparison.Ordinal);
    }
}

public sealed class OverlaySnapshotterConformance : SnapshotterConformance
{
    protected override ISnapshotter Create(string root) => new OverlaySnapshotter(root);

    [Fact]
    public void Active_snapshot_mounts_are_an_overlay_of_the_parent_chain_nearest_first()
    {
        Snapshotter.Prepare("a-x", null);
        Snapshotter.Commit("a", "a-x");
        Snapshotter.Prepare("b-x", "a");
        Snapshotter.Commit("b", "b-x");
        var mount = Assert.Single(Snapshotter.Prepare("c", "b"));
        Assert.Equal("overlay", mount.Type);
        var dirs = Snapshotter.LayerDirectories("c");
        Assert.Contains($"lowerdir={dirs[1]}:{dirs[2]}", mount.Options);
        Assert.Contains($"upperdir={dirs[0]}", mount.Options);
        Assert.Contains(mount.Options, o => o.StartsWith("workdir=", StringComparison.Ordinal));
        var target = Snapshotter.ApplyTargetOf("c");
        Assert.Equal(WhiteoutFormat.Overlay, target.Format);
        Assert.Equal(dirs[0], target.Directory);
    }
}

public sealed class OverlayDeepChainTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _target;

    public OverlayDeepChainTests()
    {
        _target = _dir.Combine("mnt");
        Directory.CreateDirectory(_target);
    }

    public void Dispose()
    {
        Mounter.UnmountAll(_target);
        _dir.Dispose();
    }

    [RequiresRootFact]
    public void A_chain_of_layers_longer_than_one_page_of_mount_options_still_mounts()
    {
        var snapshotter = new OverlaySnapshotter(_dir.Combine("snapshots"));
        string? parent = null;
        for (var i = 0; i < 70; i++)
        {
            var key = $"extract-{i}";
            snapshotter.Prepare(key, parent);
            using (var tar = new TarBuilder().File($"layer-{i}", i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Build())
            {
                LayerApplier.Apply(tar, snapshotter.ApplyTargetOf(key));
            }
            snapshotter.Commit($"layer-{i}", key);
            parent = $"layer-{i}";
        }
        var mounts = snapshotter.View("deep", parent);
        Assert.True(string.Join(',', mounts[0].Options).Length > 4096);
        Mounter.MountAll(mounts, _target);
        Assert.Equal(70, Directory.GetFiles(_target).Length);
        Assert.Equal("0", File.ReadAllText(Path.Combine(_target, "layer-0")));
    }
}

public sealed class NativeSnapshotterConformance : SnapshotterConformance
{
    protected override ISnapshotter Create(string root) => new NativeSnapshotter(root);

    [Fact]
    public void Active_snapshot_is_a_full_copy_with_hard_links_kept()
    {
        var key = "extract";
        Snapshotter.Prepare(key, null);
        using (var tar = new TarBuilder().File("a", "a").HardLink("b", "a").Symlink("s", "a").Build())
        {
            LayerApplier.Apply(tar, Snapshotter.ApplyTargetOf(key));
        }
        Snapshotter.Commit("base", key);
        var mount = Assert.Single(Snapshotter.Prepare("copy", "base"));
        Assert.Equal("bind", mount.Type);
        var fs = Snapshotter.LayerDirectories("copy")[0];
        Assert.Equal(mount.Source, fs);
        Assert.Equal(FileStat.Lstat(Path.Combine(fs, "a")).Ino, FileStat.Lstat(Path.Combine(fs, "b")).Ino);
        Assert.Equal("a", FileStat.ReadLink(Path.Combine(fs, "s")));
        Assert.Equal(WhiteoutFormat.Delete, Snapshotter.ApplyTargetOf("copy").Format);
    }
}
