using PSContainer.Engine.Daemon.Containers;
using PSContainer.Engine.Daemon.Streams;
using PSContainer.Engine.Errors;
using Xunit;

namespace PSContainer.Engine.Tests.Daemon;

public sealed class DetachKeysTests
{
    [Theory]
    [InlineData(null, new byte[] { 0x10, 0x11 })]
    [InlineData("", new byte[] { 0x10, 0x11 })]
    [InlineData("ctrl-p,ctrl-q", new byte[] { 0x10, 0x11 })]
    [InlineData("CTRL-A,Ctrl-z", new byte[] { 1, 26 })]
    [InlineData("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", new byte[] { 0, 27, 28, 29, 30, 31 })]
    [InlineData("a,b,c", new byte[] { (byte)'a', (byte)'b', (byte)'c' })]
    [InlineData("ctrl-x,@", new byte[] { 24, (byte)'@' })]
    public void KeysFollowDockersSyntax(string? spec, byte[] expected) => Assert.Equal(expected, DetachKeys.Parse(spec));

    [Theory]
    [InlineData("ctrl-")]
    [InlineData("ctrl-1")]
    [InlineData("ctrl-pq")]
    [InlineData("ab")]
    [InlineData("ctrl-p,")]
    [InlineData("alt-p")]
    [InlineData("é")]
    public void ABadKeyIsAFormatErrorNamingIt(string spec)
    {
        var error = Assert.Throws<FormatException>(() => DetachKeys.Parse(spec));
        Assert.Contains("unknown key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheEngineAnswersABadValueWith400NamingTheValue()
    {
        var error = Assert.Throws<EngineException>(() => ContainerService.ParseDetachKeys("ctrl-1"));
        Assert.Equal(EngineErrorKind.InvalidParameter, error.Kind);
        Assert.Contains("Invalid detach keys (ctrl-1) provided", error.Message, StringComparison.Ordinal);
    }

    private static (bool Detached, string Forwarded) Feed(DetachScanner scanner, params string[] reads)
    {
        var forwarded = new List<byte>();
        foreach (var read in reads)
        {
            var chunk = new List<byte>();
            if (scanner.Scan(System.Text.Encoding.Latin1.GetBytes(read), chunk))
            {
                forwarded.AddRange(chunk);
                return (true, System.Text.Encoding.Latin1.GetString([.. forwarded]));
            }
            forwarded.AddRange(chunk);
        }
        return (false, System.Text.Encoding.Latin1.GetString([.. forwarded]));
    }

    [Fact]
    public void TheSequenceInOneReadDetachesAndWhatCameBeforeIsForwarded()
    {
        var (detached, forwarded) = Feed(new DetachScanner([0x10, 0x11]), "ls\n\u0010\u0011after");
        Assert.True(detached);
        Assert.Equal("ls\n", forwarded);
    }

    [Fact]
    public void TheSequenceSplitAcrossReadsDetachesAndTheHeldKeyIsNeverForwarded()
    {
        var (detached, forwarded) = Feed(new DetachScanner([0x10, 0x11]), "x", "\u0010", "\u0011");
        Assert.True(detached);
        Assert.Equal("x", forwarded);
    }

    [Fact]
    public void AStartThatDoesNotContinueIsForwardedInOrder()
    {
        var scanner = new DetachScanner([0x10, 0x11]);
        var (detached, forwarded) = Feed(scanner, "\u0010", "a", "\u0010\u0010", "b");
        Assert.False(detached);
        Assert.Equal("\u0010a\u0010\u0010b", forwarded);
    }

    [Fact]
    public void AnOverlappingStartStillDetaches()
    {
        // "a,a,b": after "a a a" the last two keys can still begin the sequence.
        var (detached, forwarded) = Feed(new DetachScanner("aab"u8.ToArray()), "xaa", "ab");
        Assert.True(detached);
        Assert.Equal("xa", forwarded);
    }

    [Fact]
    public void HeldKeysAreForwardedWhenTheInputEnds()
    {
        var scanner = new DetachScanner([0x10, 0x11]);
        var (detached, forwarded) = Feed(scanner, "q\u0010");
        Assert.False(detached);
        Assert.Equal("q", forwarded);
        var rest = new List<byte>();
        scanner.Flush(rest);
        Assert.Equal([0x10], rest);
    }

    [Fact]
    public void ASingleKeySequenceDetachesOnThatKey()
    {
        var (detached, forwarded) = Feed(new DetachScanner([0x1d]), "abc\u001d");
        Assert.True(detached);
        Assert.Equal("abc", forwarded);
    }
}
