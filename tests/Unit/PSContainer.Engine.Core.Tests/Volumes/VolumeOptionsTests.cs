using PSContainer.Engine.Core.Errdefs;
using PSContainer.Engine.Core.Volumes;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Volumes;

public sealed class VolumeOptionsTests
{
    [Theory]
    [InlineData("data", true)]
    [InlineData("my-vol_1.2", true)]
    [InlineData("ab", true)]
    [InlineData("a", false)]
    [InlineData("-dash", false)]
    [InlineData(".hidden", false)]
    [InlineData("has space", false)]
    [InlineData("slash/inside", false)]
    [InlineData("/abs", false)]
    [InlineData("", false)]
    public void NamesFollowDockersRule(string name, bool valid)
    {
        Assert.Equal(valid, VolumeNames.IsValid(name));
        if (!valid)
        {
            var error = Assert.Throws<CoreException>(() => VolumeNames.Validate(name));
            Assert.Equal(CoreErrorKind.InvalidArgument, error.Kind);
            Assert.Contains("[a-zA-Z0-9][a-zA-Z0-9_.-]", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AnonymousNamesAre64HexDigitsAndValid()
    {
        var name = VolumeNames.NewAnonymous();
        Assert.Matches("^[0-9a-f]{64}$", name);
        Assert.True(VolumeNames.IsValid(name));
        Assert.NotEqual(name, VolumeNames.NewAnonymous());
    }

    [Fact]
    public void MountOptionWordsBecomeFlagsAndTheRestData()
    {
        var parsed = MountOptions.Parse("ro,nosuid,size=64m,uid=1000,noexec");
        Assert.True(parsed.ReadOnly);
        Assert.Equal(0x1UL | 0x2UL | 0x8UL, parsed.Flags);
        Assert.Equal("size=64m,uid=1000", parsed.Data);
        Assert.Equal("64m", parsed.DataValue("size"));
        Assert.Null(parsed.DataValue("mode"));
        Assert.False(MountOptions.Parse("ro,rw").ReadOnly); // later words win, as in mount(8)
        Assert.True(MountOptions.Parse("bind").IsBind);
        Assert.Equal(0x1000UL | 0x4000UL, MountOptions.Parse("rbind").Flags);
        Assert.Equal(new MountOptions(0, ""), MountOptions.Parse(null));
    }

    [Fact]
    public void NoOptionsMeanAPlainDirectory()
    {
        Assert.Null(LocalVolumeOptions.Parse(null));
        Assert.Null(LocalVolumeOptions.Parse(new Dictionary<string, string>()));
    }

    [Fact]
    public void TmpfsOptionsParse()
    {
        var options = LocalVolumeOptions.Parse(new Dictionary<string, string> { ["type"] = "tmpfs", ["device"] = "tmpfs", ["o"] = "size=64m,mode=1777,uid=1000,nodev" }, _ => true)!;
        Assert.Equal("tmpfs", options.Type);
        Assert.Equal("tmpfs", options.Device);
        Assert.Equal("size=64m,mode=1777,uid=1000", options.Mount.Data);
        Assert.Equal(0x4UL, options.Mount.Flags);
    }

    [Fact]
    public void BindBackedOptionsNeedAnExistingAbsoluteDevice()
    {
        using var dir = new TempDirectory();
        var options = LocalVolumeOptions.Parse(new Dictionary<string, string> { ["type"] = "none", ["o"] = "bind", ["device"] = dir.Path })!;
        Assert.True(options.Mount.IsBind);
        Assert.Equal(dir.Path, options.Device);

        AssertInvalid("bind device path does not exist: " + dir.Combine("missing"), new() { ["type"] = "none", ["o"] = "bind", ["device"] = dir.Combine("missing") });
        AssertInvalid("not an absolute path", new() { ["type"] = "none", ["o"] = "bind", ["device"] = "relative" });
        AssertInvalid("needs o=bind", new() { ["type"] = "none", ["device"] = dir.Path });
    }

    [Theory]
    [InlineData("invalid option: \"foo\"", "foo=1")]
    [InlineData("missing required option: \"device\"", "type=tmpfs")]
    [InlineData("missing required option: \"type\"", "device=tmpfs")]
    [InlineData("missing required option: \"device\"", "o=size=1m")]
    [InlineData("quota size requested", "size=10g")]
    [InlineData("is not supported by the kernel", "type=nosuchfs;device=x")]
    [InlineData("tmpfs option \"size=lots\"", "type=tmpfs;device=tmpfs;o=size=lots")]
    [InlineData("tmpfs option \"mode=999\"", "type=tmpfs;device=tmpfs;o=mode=999")]
    [InlineData("tmpfs option \"bogus=1\"", "type=tmpfs;device=tmpfs;o=bogus=1")]
    public void BadOptionsAreClearErrors(string expected, string options)
    {
        var dictionary = options.Split(';').Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        AssertInvalid(expected, dictionary);
    }

    private static void AssertInvalid(string expected, Dictionary<string, string> options)
    {
        var error = Assert.Throws<CoreException>(() => LocalVolumeOptions.Parse(options, type => type == "tmpfs"));
        Assert.Equal(CoreErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
