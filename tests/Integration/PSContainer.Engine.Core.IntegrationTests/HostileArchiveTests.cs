using System.Formats.Tar;
using System.Text;
using PSContainer.Engine.Core.Errdefs;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.Core.IntegrationTests;

/// <summary>Archives whose members point outside themselves are refused before anything is stored.</summary>
public sealed class HostileArchiveTests
{
    private static MemoryStream Archive(params (string Name, string? Content, string? LinkTo)[] members)
    {
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content, linkTo) in members)
            {
                var entry = linkTo is null
                    ? new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content ?? "")) }
                    : new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = linkTo };
                writer.WriteEntry(entry);
            }
        }
        stream.Position = 0;
        return stream;
    }

    private const string Config = """{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}}""";

    [RequiresRootTheory]
    [InlineData("../../../../etc/passwd")]
    [InlineData("a/../../etc/passwd")]
    public async Task Manifest_paths_with_dot_dot_are_refused(string layerPath)
    {
        using var core = new CoreFixture("native");
        var archive = Archive(
            ("config.json", Config, null),
            ("manifest.json", $$"""[{"Config":"config.json","RepoTags":["evil:latest"],"Layers":["{{layerPath}}"]}]""", null));
        var error = await Assert.ThrowsAsync<CoreException>(() => core.Services.Archives.LoadAsync(archive));
        Assert.Equal(CoreErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("..", error.Message, StringComparison.Ordinal);
        Assert.Empty(core.Services.Images.List());
    }

    [RequiresRootFact]
    public async Task Absolute_manifest_paths_stay_inside_the_archive()
    {
        using var core = new CoreFixture("native");
        var archive = Archive(
            ("config.json", Config, null),
            ("manifest.json", """[{"Config":"config.json","RepoTags":["evil:latest"],"Layers":["/etc/passwd"]}]""", null));
        var error = await Assert.ThrowsAsync<CoreException>(() => core.Services.Archives.LoadAsync(archive));
        Assert.Contains("archive member /etc/passwd is missing", error.Message, StringComparison.Ordinal);
        Assert.Empty(core.Services.Images.List());
    }

    [RequiresRootFact]
    public async Task Symlinked_members_pointing_outside_the_archive_are_refused()
    {
        using var core = new CoreFixture("native");
        var archive = Archive(
            ("config.json", Config, null),
            ("layer.tar", null, "../../../../../../etc/passwd"),
            ("manifest.json", """[{"Config":"config.json","RepoTags":["evil:latest"],"Layers":["layer.tar"]}]""", null));
        var error = await Assert.ThrowsAsync<CoreException>(() => core.Services.Archives.LoadAsync(archive));
        Assert.Contains("outside the archive", error.Message, StringComparison.Ordinal);
        Assert.Empty(core.Services.Images.List());
    }

    [RequiresRootFact]
    public async Task A_layer_count_that_disagrees_with_the_config_is_refused()
    {
        using var core = new CoreFixture("native");
        var archive = Archive(
            ("config.json", Config, null),
            ("manifest.json", """[{"Config":"config.json","RepoTags":["x:latest"],"Layers":[]}]""", null));
        var error = await Assert.ThrowsAsync<CoreException>(() => core.Services.Archives.LoadAsync(archive));
        Assert.Contains("1 diff ids but manifest.json lists 0 layers", error.Message, StringComparison.Ordinal);
    }
}
