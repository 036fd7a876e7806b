using System.Text;
using PSContainer.Engine.Daemon.Streams;
using Xunit;

namespace PSContainer.Engine.Tests.Daemon;

public sealed class JsonFileLogReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("psc-logs-").FullName;

    private string LogPath => Path.Combine(_dir, "c-json.log");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Line(string text, string stream, int second) =>
        $"{{\"log\":\"{text}\\n\",\"stream\":\"{stream}\",\"time\":\"2026-01-01T00:00:{second:D2}.123456789Z\"}}\n";

    private async Task<byte[]> ReadAsync(LogOptions options, bool multiplexed = true)
    {
        using var output = new MemoryStream();
        await JsonFileLogReader.CopyAsync(LogPath, options, new StdStreamWriter(output, multiplexed), () => false, CancellationToken.None);
        return output.ToArray();
    }

    private static LogOptions All => new(true, true, false, false, null, null, null);

    [Fact]
    public async Task RawOutputConcatenatesLinesAcrossRotatedFiles()
    {
        File.WriteAllText(LogPath + ".1", Line("one", "stdout", 1));
        File.WriteAllText(LogPath, Line("two", "stdout", 2) + Line("three", "stderr", 3));
        var bytes = await ReadAsync(All, multiplexed: false);
        Assert.Equal("one\ntwo\nthree\n", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public async Task MultiplexedFramesCarryTheStream()
    {
        File.WriteAllText(LogPath, Line("out", "stdout", 1) + Line("err", "stderr", 2));
        var bytes = await ReadAsync(All);
        Assert.Equal(StdStreamWriter.Frame(StdStream.Stdout, "out\n"u8).Concat(StdStreamWriter.Frame(StdStream.Stderr, "err\n"u8)), bytes);
    }

    [Fact]
    public async Task TailSinceAndStreamFiltersApply()
    {
        File.WriteAllText(LogPath, Line("a", "stdout", 1) + Line("b", "stderr", 2) + Line("c", "stdout", 3) + Line("d", "stdout", 4));
        Assert.Equal("c\nd\n", Encoding.UTF8.GetString(await ReadAsync(All with { Tail = 2 }, multiplexed: false)));
        Assert.Equal("a\nc\nd\n", Encoding.UTF8.GetString(await ReadAsync(All with { Stderr = false }, multiplexed: false)));
        var since = new DateTimeOffset(2026, 1, 1, 0, 0, 3, TimeSpan.Zero);
        Assert.Equal("c\nd\n", Encoding.UTF8.GetString(await ReadAsync(All with { Since = since }, multiplexed: false)));
        Assert.Equal("", Encoding.UTF8.GetString(await ReadAsync(All with { Tail = 0 }, multiplexed: false)));
    }

    [Fact]
    public async Task TimestampsArePrefixed()
    {
        File.WriteAllText(LogPath, Line("a", "stdout", 1));
        var text = Encoding.UTF8.GetString(await ReadAsync(All with { Timestamps = true }, multiplexed: false));
        Assert.Equal("2026-01-01T00:00:01.123456789Z a\n", text);
    }

    [Fact]
    public async Task TimestampsHaveNineFractionDigitsInUtcLikeDockerd()
    {
        File.WriteAllText(LogPath,
            "{\"log\":\"a\\n\",\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:01.5Z\"}\n" +
            "{\"log\":\"b\\n\",\"stream\":\"stdout\",\"time\":\"2026-01-01T02:00:02+02:00\"}\n");
        var text = Encoding.UTF8.GetString(await ReadAsync(All with { Timestamps = true }, multiplexed: false));
        Assert.Equal("2026-01-01T00:00:01.500000000Z a\n2026-01-01T00:00:02.000000000Z b\n", text);
    }

    [Fact]
    public async Task APartialLastLineAndGarbageAreSkipped()
    {
        File.WriteAllText(LogPath, "not json\n" + Line("ok", "stdout", 1) + "{\"log\":\"half");
        Assert.Equal("ok\n", Encoding.UTF8.GetString(await ReadAsync(All, multiplexed: false)));
    }

    [Fact]
    public async Task MissingLogIsEmpty()
    {
        Assert.Empty(await ReadAsync(All));
    }
}
