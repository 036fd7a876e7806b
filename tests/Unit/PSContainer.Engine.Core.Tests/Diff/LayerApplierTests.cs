using System.IO.Compression;
using PSContainer.Engine.Core.Diff;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Snapshots;
using PSContainer.Interop.Linux;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Diff;

public sealed class LayerApplierTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _root;
    private readonly string _outside;

    public LayerApplierTests()
    {
        _root = _dir.Combine("root");
        _outside = _dir.Combine("outside");
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_outside);
        File.WriteAllText(Path.Combine(_outside, "secret"), "host secret");
    }

    public void Dispose() => _dir.Dispose();

    private void Apply(TarBuilder tar, WhiteoutFormat format = WhiteoutFormat.Delete)
    {
        using var stream = tar.Build();
        LayerApplier.Apply(stream, new ApplyTarget(_root, format, []));
    }

    private string InRoot(string relative) => Path.Combine(_root, relative);

    [Fact]
    public void Creates_every_entry_type_with_modes_links_and_times()
    {
        Apply(new TarBuilder()
            .Dir("data/")
            .File("data/keep", "keep\n")
            .HardLink("data/keep-hardlink", "data/keep")
            .Symlink("data/keep-symlink", "keep")
            .File("data/suid", "suid\n", (UnixFileMode)0x9ED /* 04755 */)
            .Fifo("data/fifo")
            .File("./deep/nested/file", "implicit parents"));

        Assert.Equal("keep\n", File.ReadAllText(InRoot("data/keep")));
        var keep = FileStat.Lstat(InRoot("data/keep"));
        var link = FileStat.Lstat(InRoot("data/keep-hardlink"));
        Assert.Equal(keep.Ino, link.Ino);
        Assert.Equal(2u, keep.Nlink);
        Assert.Equal("keep", FileStat.ReadLink(InRoot("data/keep-symlink")));
        Assert.Equal(0x9EDu, FileStat.Lstat(InRoot("data/suid")).Mode & 0xFFFu);
        Assert.Equal(Libc.S_IFIFO, FileStat.Lstat(InRoot("data/fifo")).FileType);
        Assert.Equal("implicit parents", File.ReadAllText(InRoot("deep/nested/file")));
        Assert.Equal(TarBuilder.Time.ToUnixTimeSeconds(), FileStat.Lstat(InRoot("data/keep")).Mtime.Seconds);
        Assert.Equal(TarBuilder.Time.ToUnixTimeSeconds(), FileStat.Lstat(InRoot("data")).Mtime.Seconds);
    }

    [RequiresRootFact]
    public void Preserves_ownership_devices_and_xattrs_as_root()
    {
        Apply(new TarBuilder()
            .File("owned", "x", uid: 1000, gid: 1000)
            .CharDevice("null", 1, 3)
            .File("attrs", "x", pax: new Dictionary<string, string> { ["SCHILY.xattr.user.greeting"] = "hello" }));
        var owned = FileStat.Lstat(InRoot("owned"));
        Assert.Equal((1000u, 1000u), (owned.Uid, owned.Gid));
        var device = FileStat.Lstat(InRoot("null"));
        Assert.Equal(Libc.S_IFCHR, device.FileType);
        Assert.Equal((1u, 3u), (device.RdevMajor, device.RdevMinor));
        Assert.Equal("hello"u8.ToArray(), FileStat.GetXattr(InRoot("attrs"), "user.greeting"));
    }

    [RequiresRootFact]
    public void Overlay_attributes_in_a_layer_are_not_applied()
    {
        Apply(new TarBuilder()
            .File("dir/f", "x", pax: new Dictionary<string, string>
            {
                ["SCHILY.xattr.trusted.overlay.redirect"] = "/etc",
                ["SCHILY.xattr.user.kept"] = "yes",
            }), WhiteoutFormat.Overlay);
        Assert.Null(FileStat.GetXattr(InRoot("dir/f"), "trusted.overlay.redirect"));
        Assert.Equal("yes"u8.ToArray(), FileStat.GetXattr(InRoot("dir/f"), "user.kept"));
    }

    [Fact]
    public void Dot_dot_entries_are_refused_and_nothing_is_written_outside()
    {
        var error = Assert.Throws<CoreException>(() => Apply(new TarBuilder().File("../outside/evil", "x")));
        Assert.Contains("..", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_outside, "evil")));
        Assert.Throws<CoreException>(() => Apply(new TarBuilder().File("a/../../outside/evil2", "x")));
        Assert.False(File.Exists(Path.Combine(_outside, "evil2")));
    }

    [Fact]
    public void Absolute_entry_names_land_inside_the_root()
    {
        var name = "psc-absolute-" + Guid.NewGuid().ToString("N");
        Apply(new TarBuilder().File("/tmp/" + name, "contained"));
        Assert.Equal("contained", File.ReadAllText(InRoot("tmp/" + name)));
        Assert.False(File.Exists("/tmp/" + name));
    }

    [Fact]
    public void A_symlinked_parent_directory_is_resolved_inside_the_root()
    {
        // "escape" points at the host's outside directory by absolute path and by "..": both must
        // be read as paths inside the root.
        Apply(new TarBuilder()
            .Symlink("escape", _outside)
            .Symlink("up", "../../../../../../../../")
            .File("up/evil-up", "contained"));
        Assert.False(File.Exists(Path.Combine(_outside, "evil-up")));
        Assert.Equal("contained", File.ReadAllText(InRoot("evil-up")));
        try
        {
            Apply(new TarBuilder().File("escape/evil", "x"));
        }
        catch (Exception e) when (e is CoreException or IOException)
        {
            // Refusing is fine too: the point is that nothing reaches the host directory.
        }
        Assert.False(File.Exists(Path.Combine(_outside, "evil")));
        Assert.Equal(["secret"], Directory.GetFiles(_outside).Select(Path.GetFileName));
    }

    [Fact]
    public void Replacing_a_symlink_does_not_write_through_it()
    {
        Apply(new TarBuilder().Symlink("target", Path.Combine(_outside, "secret")));
        Apply(new TarBuilder().File("target", "new content"));
        Assert.Equal("host secret", File.ReadAllText(Path.Combine(_outside, "secret")));
        Assert.Equal("new content", File.ReadAllText(InRoot("target")));
    }

    [Fact]
    public void Hard_links_to_paths_outside_the_root_are_impossible()
    {
        var before = FileStat.Lstat(Path.Combine(_outside, "secret")).Nlink;
        Assert.ThrowsAny<Exception>(() => Apply(new TarBuilder().HardLink("stolen", Path.Combine(_outside, "secret"))));
        Assert.Throws<CoreException>(() => Apply(new TarBuilder().HardLink("stolen2", "../outside/secret")));
        Assert.ThrowsAny<Exception>(() => Apply(new TarBuilder()
            .Symlink("hop", _outside)
            .HardLink("stolen3", "hop/secret")));
        Assert.Equal(before, FileStat.Lstat(Path.Combine(_outside, "secret")).Nlink);
        Assert.False(File.Exists(InRoot("stolen")));
        Assert.False(File.Exists(InRoot("stolen3")));
    }

    [Fact]
    public void Whiteouts_delete_and_opaque_directories_empty_on_a_full_tree()
    {
        Apply(new TarBuilder()
            .File("data/keep", "k").File("data/remove-me", "r")
            .File("data/dir/a", "a").File("data/dir/b", "b").File("data/tree/x/y", "y"));
        Apply(new TarBuilder()
            .File("data/.wh.remove-me", "")
            .File("data/.wh.tree", "")
            .Dir("data/dir/")
            .File("data/dir/.wh..wh..opq", "")
            .File("data/dir/c", "c"));
        Assert.True(File.Exists(InRoot("data/keep")));
        Assert.False(File.Exists(InRoot("data/remove-me")));
        Assert.False(Directory.Exists(InRoot("data/tree")));
        Assert.Equal(["c"], Directory.GetFileSystemEntries(InRoot("data/dir")).Select(Path.GetFileName));
        Assert.False(File.Exists(InRoot("data/.wh.remove-me")));

        // aufs' own metadata entries are neither content nor deletions.
        Apply(new TarBuilder().File(".wh..wh.plnk/1234.5", "x").File("data/.wh..wh.aufs", ""));
        Assert.False(Directory.Exists(InRoot(".wh..wh.plnk")));
        Assert.True(File.Exists(InRoot("data/keep")));
    }

    [RequiresRootFact]
    public void Whiteouts_become_overlay_whiteouts_in_overlay_format()
    {
        Apply(new TarBuilder()
            .File("data/.wh.remove-me", "")
            .Dir("data/dir/")
            .File("data/dir/.wh..wh..opq", "")
            .File("data/dir/c", "c"), WhiteoutFormat.Overlay);
        var whiteout = FileStat.Lstat(InRoot("data/remove-me"));
        Assert.Equal(Libc.S_IFCHR, whiteout.FileType);
        Assert.Equal((0u, 0u), (whiteout.RdevMajor, whiteout.RdevMinor));
        Assert.Equal("y"u8.ToArray(), FileStat.GetXattr(InRoot("data/dir"), LayerApplier.OverlayOpaqueXattr));
        Assert.True(File.Exists(InRoot("data/dir/c")));
    }

    [Fact]
    public void Gzip_layers_are_decompressed_and_a_corrupt_zstd_frame_fails_with_zstds_message()
    {
        var plain = new TarBuilder().File("gz", "gzipped").Build();
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            plain.CopyTo(gzip);
        }
        compressed.Position = 0;
        using (var tar = LayerStreams.Decompress(compressed, "test layer"))
        {
            LayerApplier.Apply(tar, new ApplyTarget(_root, WhiteoutFormat.Delete, []));
        }
        Assert.Equal("gzipped", File.ReadAllText(InRoot("gz")));

        // zstd goes through the zstd program; a corrupt frame fails the read with zstd's complaint.
        var zstd = new MemoryStream([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]);
        using var broken = LayerStreams.Decompress(zstd, "layer sha256:x");
        var error = Assert.Throws<CoreException>(() => broken.CopyTo(Stream.Null));
        Assert.Equal(CoreErrorKind.DataCorrupted, error.Kind);
        Assert.Contains("layer sha256:x: zstd failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Digesting_stream_gives_the_diff_id_of_what_was_read()
    {
        var data = new TarBuilder().File("f", "content").Build().ToArray();
        using var digesting = new DigestingStream(new MemoryStream(data));
        LayerApplier.Apply(digesting, new ApplyTarget(_root, WhiteoutFormat.Delete, []));
        digesting.Drain();
        Assert.Equal(Oci.Digest.FromBytes(data), digesting.Digest);
        Assert.Equal(data.Length, digesting.BytesRead);
    }
}
