using System.Formats.Tar;
using System.Text.Json.Nodes;
using PSContainer.Module.Core;
using Xunit;

namespace PSContainer.Module.Tests.Core;

public sealed class FileTransferTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("psc-module-files-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_Directory_Packs_Under_Its_Own_Name_And_Unpacks_Into_A_Directory_Or_A_New_Name()
    {
        var source = Directory.CreateDirectory(Path.Combine(_root, "site"));
        File.WriteAllText(Path.Combine(source.FullName, "index.html"), "<h1>hi</h1>");
        Directory.CreateDirectory(Path.Combine(source.FullName, "img"));
        File.WriteAllText(Path.Combine(source.FullName, "img", "a.txt"), "a");

        using var tar = new MemoryStream();
        await ArchiveTransfer.PackAsync(source.FullName, "www", tar, CancellationToken.None);
        tar.Position = 0;
        var names = new List<string>();
        using (var reader = new TarReader(tar, leaveOpen: true))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                names.Add(entry.Name);
            }
        }
        Assert.Equal(["www", "www/img", "www/img/a.txt", "www/index.html"], names.Select(n => n.TrimEnd('/')));

        var into = Directory.CreateDirectory(Path.Combine(_root, "into"));
        tar.Position = 0;
        var landed = await ArchiveTransfer.UnpackAsync(tar, into.FullName, CancellationToken.None);
        Assert.Equal(Path.Combine(into.FullName, "www"), landed); // -PassThru returns the copied item, not the directory it went into
        Assert.Equal("<h1>hi</h1>", File.ReadAllText(Path.Combine(into.FullName, "www", "index.html")));
        File.WriteAllText(Path.Combine(into.FullName, "www", "kept.txt"), "mine");
        tar.Position = 0;
        await ArchiveTransfer.UnpackAsync(tar, into.FullName, CancellationToken.None); // again: merges, like docker cp
        Assert.Equal("mine", File.ReadAllText(Path.Combine(into.FullName, "www", "kept.txt")));
        Assert.Equal("a", File.ReadAllText(Path.Combine(into.FullName, "www", "img", "a.txt")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(into.FullName, ".psc-copy-*"));

        tar.Position = 0;
        var renamed = await ArchiveTransfer.UnpackAsync(tar, Path.Combine(_root, "copy"), CancellationToken.None);
        Assert.Equal("a", File.ReadAllText(Path.Combine(renamed, "img", "a.txt")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root, ".psc-copy-*"));
    }

    [Fact]
    public async Task A_File_Can_Be_Copied_Out_Under_Another_Name()
    {
        var file = Path.Combine(_root, "hosts");
        File.WriteAllText(file, "127.0.0.1 localhost\n");
        using var tar = new MemoryStream();
        await ArchiveTransfer.PackAsync(file, "hosts", tar, CancellationToken.None);
        tar.Position = 0;
        var copy = await ArchiveTransfer.UnpackAsync(tar, Path.Combine(_root, "my-hosts"), CancellationToken.None);
        Assert.Equal("127.0.0.1 localhost\n", File.ReadAllText(copy));
    }

    [Fact]
    public async Task Entries_That_Escape_The_Destination_Are_Refused_And_Nothing_Is_Left_Behind()
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "../escape") { DataStream = new MemoryStream("x"u8.ToArray()) });
        }
        tar.Position = 0;
        await Assert.ThrowsAnyAsync<IOException>(() => ArchiveTransfer.UnpackAsync(tar, Path.Combine(_root, "target"), CancellationToken.None));
        Assert.False(File.Exists(Path.Combine(_root, "escape")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    [Fact]
    public async Task Missing_Sources_And_Bad_Names_Are_Clear_Errors()
    {
        using var tar = new MemoryStream();
        await Assert.ThrowsAsync<FileNotFoundException>(() => ArchiveTransfer.PackAsync(Path.Combine(_root, "nope"), "nope", tar, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => ArchiveTransfer.PackAsync(_root, "a/b", tar, CancellationToken.None));
        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => ArchiveTransfer.UnpackAsync(tar, Path.Combine(_root, "no", "such"), CancellationToken.None));
    }

    [Fact]
    public async Task Build_Contexts_Skip_What_Dockerignore_Names()
    {
        File.WriteAllText(Path.Combine(_root, "Dockerfile"), "FROM busybox\n");
        File.WriteAllText(Path.Combine(_root, "secret.key"), "k");
        Directory.CreateDirectory(Path.Combine(_root, "node_modules"));
        File.WriteAllText(Path.Combine(_root, "node_modules", "x.js"), "x");
        File.WriteAllText(Path.Combine(_root, ".dockerignore"), "# comment\n*.key\nnode_modules\n");
        using var tar = new MemoryStream();
        await BuildContext.PackAsync(_root, tar, CancellationToken.None);
        tar.Position = 0;
        var names = new List<string>();
        using var reader = new TarReader(tar);
        while (reader.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name);
        }
        Assert.Equal([".dockerignore", "Dockerfile"], names);
    }

    [Fact]
    public void Registry_Logins_Are_Saved_In_Dockers_Format_Keeping_Other_Settings()
    {
        var config = Path.Combine(_root, "docker", "config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        File.WriteAllText(config, """{"auths":{"other.example":{"auth":"eDp5"}},"credsStore":"desktop","detachKeys":"ctrl-q"}""");
        var store = RegistryCredentialStore.ForCurrentUser(name => name == "DOCKER_CONFIG" ? Path.GetDirectoryName(config) : null);

        store.Save("localhost:5000", "alice", "s3:cret");
        store.Save("docker.io", "bob", "pw");

        Assert.Equal(("alice", "s3:cret"), store.Find("localhost:5000"));
        Assert.Equal(("bob", "pw"), store.Find("https://index.docker.io/v1/"));
        var json = JsonNode.Parse(File.ReadAllText(config))!;
        Assert.Equal("ctrl-q", json["detachKeys"]!.GetValue<string>());
        Assert.Equal("YWxpY2U6czM6Y3JldA==", json["auths"]!["localhost:5000"]!["auth"]!.GetValue<string>());
        Assert.NotNull(json["auths"]![RegistryCredentialStore.DockerHubKey]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));

        Assert.True(store.Remove("localhost:5000"));
        Assert.False(store.Remove("localhost:5000"));
        Assert.Null(store.Find("localhost:5000"));
        Assert.NotNull(JsonNode.Parse(File.ReadAllText(config))!["auths"]!["other.example"]);
        Assert.Throws<ArgumentException>(() => store.Save("x", "a:b", "c"));
    }

    [Theory]
    [InlineData("busybox", "docker.io")]
    [InlineData("library/busybox:1", "docker.io")]
    [InlineData("localhost:5000/app", "localhost:5000")]
    [InlineData("localhost/app", "localhost")]
    [InlineData("ghcr.io/org/app:1", "ghcr.io")]
    public void The_Registry_Of_A_Reference(string reference, string registry) =>
        Assert.Equal(registry, RegistryCredentialStore.RegistryOf(reference));

    [Fact]
    public void A_Config_File_That_Is_Not_Json_Is_Reported_Not_Overwritten()
    {
        var config = Path.Combine(_root, "config.json");
        File.WriteAllText(config, "{broken");
        var store = new RegistryCredentialStore(config);
        Assert.Throws<InvalidDataException>(() => store.Save("x", "a", "b"));
        Assert.Equal("{broken", File.ReadAllText(config));
    }
}
