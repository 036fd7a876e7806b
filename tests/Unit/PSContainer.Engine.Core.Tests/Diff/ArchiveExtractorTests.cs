using System.Formats.Tar;
using PSContainer.Engine.Core.Diff;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.Interop.Linux;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Diff;

/// <summary>docker cp's extraction rules: stay under the destination, stay inside the container root, Docker's overwrite rules.</summary>
public sealed class ArchiveExtractorTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _root;
    private readonly ScopedRoot _scoped;

    public ArchiveExtractorTests()
    {
        _root = _dir.Combine("root");
        Directory.CreateDirectory(Path.Combine(_root, "dst", "existing-dir"));
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        File.WriteAllText(Path.Combine(_root, "dst", "existing-file"), "old");
        File.WriteAllText(_dir.Combine("host-file"), "host");
        _scoped = new ScopedRoot(_root);
    }

    public void Dispose()
    {
        _scoped.Dispose();
        _dir.Dispose();
    }

    private void Extract(TarBuilder tar, string destination = "/dst", bool noOverwriteDirNonDir = true, (uint, uint)? owner = null)
    {
        using var stream = tar.Build();
        ArchiveExtractor.Extract(stream, _scoped, destination, new ExtractOptions { NoOverwriteDirNonDir = noOverwriteDirNonDir, Owner = owner });
    }

    private string InRoot(string relative) => Path.Combine(_root, relative);

    [Fact]
    public void Extracts_files_directories_links_owners_and_modes()
    {
        Extract(new TarBuilder()
            .Dir("tree/", uid: 12, gid: 34)
            .File("tree/file", "content", (UnixFileMode)0x9ED /* 04755 */, uid: 1234, gid: 2345)
            .Symlink("tree/link", "/etc/passwd")
            .HardLink("tree/hard", "tree/file")
            .Fifo("tree/fifo")
            .File("implicit/parent/file", "x"));

        Assert.Equal("content", File.ReadAllText(InRoot("dst/tree/file")));
        var file = FileStat.Lstat(InRoot("dst/tree/file"));
        Assert.Equal((1234u, 2345u, 0x9EDu), (file.Uid, file.Gid, file.Mode & 0xFFFu));
        Assert.Equal((12u, 34u), (FileStat.Lstat(InRoot("dst/tree")).Uid, FileStat.Lstat(InRoot("dst/tree")).Gid));
        Assert.Equal("/etc/passwd", FileStat.ReadLink(InRoot("dst/tree/link")));
        Assert.Equal(file.Ino, FileStat.Lstat(InRoot("dst/tree/hard")).Ino);
        Assert.Equal(Libc.S_IFIFO, FileStat.Lstat(InRoot("dst/tree/fifo")).FileType);
        Assert.Equal("x", File.ReadAllText(InRoot("dst/implicit/parent/file")));
        Assert.Equal(TarBuilder.Time.ToUnixTimeSeconds(), FileStat.Lstat(InRoot("dst/tree")).Mtime.Seconds);
    }

    [Fact]
    public void An_owner_override_applies_to_every_entry()
    {
        Extract(new TarBuilder().Dir("d/", uid: 5).File("d/f", "x", uid: 7, gid: 8), owner: (1000u, 1001u));
        Assert.Equal((1000u, 1001u), (FileStat.Lstat(InRoot("dst/d/f")).Uid, FileStat.Lstat(InRoot("dst/d/f")).Gid));
        Assert.Equal(1000u, FileStat.Lstat(InRoot("dst/d")).Uid);
    }

    [Fact]
    public void Whiteout_names_are_ordinary_files()
    {
        Extract(new TarBuilder().File(".wh.existing-file", "not a whiteout"));
        Assert.Equal("old", File.ReadAllText(InRoot("dst/existing-file")));
        Assert.Equal("not a whiteout", File.ReadAllText(InRoot("dst/.wh.existing-file")));
    }

    [Fact]
    public void Files_replace_files_and_directories_merge()
    {
        Extract(new TarBuilder().File("existing-file", "new").Dir("existing-dir/").File("existing-dir/inner", "i"));
        Assert.Equal("new", File.ReadAllText(InRoot("dst/existing-file")));
        Assert.Equal("i", File.ReadAllText(InRoot("dst/existing-dir/inner")));
    }

    [Fact]
    public void NoOverwriteDirNonDir_refuses_to_change_the_kind_of_an_entry()
    {
        var fileOverDir = Assert.Throws<CoreException>(() => Extract(new TarBuilder().File("existing-dir", "x")));
        Assert.Equal("cannot overwrite directory \"/dst/existing-dir\" with non-directory \"/dst\"", fileOverDir.Message);
        var dirOverFile = Assert.Throws<CoreException>(() => Extract(new TarBuilder().Dir("existing-file/")));
        Assert.Equal("cannot overwrite non-directory \"/dst/existing-file\" with directory \"/dst\"", dirOverFile.Message);
        Assert.True(Directory.Exists(InRoot("dst/existing-dir")));
        Assert.Equal("old", File.ReadAllText(InRoot("dst/existing-file")));
    }

    [Fact]
    public void Without_NoOverwriteDirNonDir_a_file_replaces_a_directory()
    {
        Extract(new TarBuilder().File("existing-dir", "now a file"), noOverwriteDirNonDir: false);
        Assert.Equal("now a file", File.ReadAllText(InRoot("dst/existing-dir")));
    }

    [Theory]
    [InlineData("../escaped")]
    [InlineData("a/../../escaped")]
    public void Entries_that_climb_out_of_the_destination_are_refused(string name)
    {
        var e = Assert.Throws<CoreException>(() => Extract(new TarBuilder().File(name, "x")));
        Assert.Equal(CoreErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("is outside of \"/dst\"", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(InRoot("escaped")));
    }

    [Fact]
    public void Relative_symlinks_pointing_above_the_destination_are_refused()
    {
        var e = Assert.Throws<CoreException>(() => Extract(new TarBuilder().Symlink("up", "../../etc")));
        Assert.Contains("invalid symlink", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hard_links_to_outside_the_destination_are_refused()
    {
        var e = Assert.Throws<CoreException>(() => Extract(new TarBuilder().HardLink("h", "../etc/x")));
        Assert.Contains("invalid hardlink", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symlinked_parent_inside_the_container_cannot_lead_to_the_host()
    {
        // The container made /dst/out point at the host's directory by an absolute path and /dst/up
        // climb with "..": both resolve inside the container's root.
        Directory.CreateDirectory(Path.Combine(_root, _dir.Path.TrimStart('/')));
        File.CreateSymbolicLink(InRoot("dst/out"), _dir.Path);
        File.CreateSymbolicLink(InRoot("dst/up"), "../../../../..");
        Extract(new TarBuilder().File("out/host-file", "written").File("up/planted", "p"));
        Assert.Equal("host", File.ReadAllText(_dir.Combine("host-file")));
        Assert.False(File.Exists(_dir.Combine("planted")));
        Assert.Equal("p", File.ReadAllText(InRoot("planted")));
        Assert.Equal("written", File.ReadAllText(Path.Combine(_root, _dir.Path.TrimStart('/'), "host-file")));
    }

    [Fact]
    public void A_dangling_symlinked_parent_fails_without_touching_the_host()
    {
        File.CreateSymbolicLink(InRoot("dst/gone"), _dir.Combine("no-such-dir"));
        var e = Assert.Throws<SyscallException>(() => Extract(new TarBuilder().File("gone/f", "x")));
        Assert.Equal("/dst/gone", e.Target);
        Assert.False(Directory.Exists(_dir.Combine("no-such-dir")));
    }

    [Fact]
    public void A_file_entry_does_not_follow_an_existing_symlink_in_its_place()
    {
        File.CreateSymbolicLink(InRoot("dst/victim"), _dir.Combine("host-file"));
        Extract(new TarBuilder().File("victim", "replaced"), noOverwriteDirNonDir: false);
        Assert.Equal("host", File.ReadAllText(_dir.Combine("host-file")));
        Assert.Equal(Libc.S_IFREG, FileStat.Lstat(InRoot("dst/victim")).FileType);
    }

    [Fact]
    public void Garbage_is_an_invalid_argument()
    {
        using var garbage = new MemoryStream(new byte[1024].Select((_, i) => (byte)(i % 7 + 1)).ToArray());
        var e = Assert.Throws<CoreException>(() => ArchiveExtractor.Extract(garbage, _scoped, "/dst", new ExtractOptions()));
        Assert.Equal(CoreErrorKind.InvalidArgument, e.Kind);
    }

    [Fact]
    public async Task PathArchiver_round_trips_a_tree_under_the_requested_name()
    {
        Extract(new TarBuilder().Dir("tree/").File("tree/a", "A", uid: 3, gid: 4).HardLink("tree/b", "tree/a").Symlink("tree/l", "a"));
        File.CreateSymbolicLink(InRoot("dst/tree/to-host"), _dir.Path);
        using var archive = new MemoryStream();
        await PathArchiver.WriteAsync(_scoped, "/dst/tree", "renamed", archive, CancellationToken.None);
        archive.Position = 0;
        var entries = new List<TarEntry>();
        using (var reader = new TarReader(archive, leaveOpen: true))
        {
            while (reader.GetNextEntry(copyData: true) is { } entry)
            {
                entries.Add(entry);
            }
        }
        Assert.Equal(["renamed/", "renamed/a", "renamed/b", "renamed/l", "renamed/to-host"], entries.Select(e => e.Name));
        Assert.Equal((3, 4), (entries[1].Uid, entries[1].Gid));
        Assert.Equal(TarEntryType.HardLink, entries[2].EntryType);
        Assert.Equal("renamed/a", entries[2].LinkName);
        Assert.Equal(TarEntryType.SymbolicLink, entries[4].EntryType); // archived as a link, never followed to the host

        Extract(new TarBuilder().Dir("copy/"), "/dst");
        archive.Position = 0;
        ArchiveExtractor.Extract(archive, _scoped, "/dst/copy", new ExtractOptions());
        Assert.Equal("A", File.ReadAllText(InRoot("dst/copy/renamed/a")));
    }
}
