using System.Text;
using System.Text.Json;
using PSContainer.Shim.Io;
using Xunit;

namespace PSContainer.Shim.Tests;

public sealed class JsonFileLogTests : IDisposable
{
    private static readonly DateTimeOffset Time = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("psc-shim-log-");

    private string LogPath => Path.Combine(_dir.FullName, "container.log");

    public void Dispose() => _dir.Delete(recursive: true);

    private static List<JsonElement> Entries(string path) =>
        File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public void EntriesHaveDockersJsonFileShape()
    {
        using (var log = new JsonFileLog(LogPath, 0, 1))
        {
            log.Write(OutputStream.Stdout, "hi\n"u8, Time.AddTicks(1234500));
            log.Write(OutputStream.Stderr, "uh \"oh\" <b>\n"u8, Time);
        }

        var lines = File.ReadAllLines(LogPath);
        Assert.Equal("""{"log":"hi\n","stream":"stdout","time":"2024-05-06T07:08:09.12345Z"}""", lines[0]);
        var second = JsonDocument.Parse(lines[1]).RootElement;
        Assert.Equal("uh \"oh\" <b>\n", second.GetProperty("log").GetString());
        Assert.Equal("stderr", second.GetProperty("stream").GetString());
        Assert.Equal("2024-05-06T07:08:09Z", second.GetProperty("time").GetString());
    }

    [Theory]
    [InlineData(0L, "2024-05-06T07:08:09Z")]
    [InlineData(1L, "2024-05-06T07:08:09.0000001Z")]
    [InlineData(5_000_000L, "2024-05-06T07:08:09.5Z")]
    public void TimeIsRfc3339NanoWithoutTrailingZeros(long ticks, string expected)
    {
        Assert.Equal(expected, JsonFileLog.FormatTime(Time.AddTicks(ticks)));
        Assert.Equal(expected, JsonFileLog.FormatTime(Time.AddTicks(ticks).ToOffset(TimeSpan.FromHours(2))));
    }

    [Fact]
    public void StreamsKeepTheirOwnPartialLines()
    {
        using (var log = new JsonFileLog(LogPath, 0, 1))
        {
            log.Write(OutputStream.Stdout, "out-"u8, Time);
            log.Write(OutputStream.Stderr, "err-"u8, Time);
            log.Write(OutputStream.Stderr, "line\n"u8, Time);
            log.Write(OutputStream.Stdout, "line\nrest"u8, Time);
            log.Close(OutputStream.Stdout, Time);
            log.Close(OutputStream.Stderr, Time);
        }

        Assert.Equal(["err-line\n", "out-line\n", "rest"], Entries(LogPath).Select(e => e.GetProperty("log").GetString()));
    }

    [Fact]
    public void InvalidUtf8BecomesReplacementCharacters()
    {
        using (var log = new JsonFileLog(LogPath, 0, 1))
        {
            log.Write(OutputStream.Stdout, [0x61, 0xff, 0x62, (byte)'\n'], Time);
        }

        Assert.Equal("a\uFFFDb\n", Entries(LogPath)[0].GetProperty("log").GetString());
    }

    [Fact]
    public void RotatesBeforeExceedingMaxSizeAndKeepsMaxFiles()
    {
        using (var log = new JsonFileLog(LogPath, 1000, 3))
        {
            for (var i = 0; i < 200; i++)
            {
                log.Write(OutputStream.Stdout, Encoding.UTF8.GetBytes($"line {i}\n"), Time);
            }
        }

        Assert.False(File.Exists(LogPath + ".3"));
        var files = new[] { LogPath + ".2", LogPath + ".1", LogPath };
        Assert.All(files, f => Assert.InRange(new FileInfo(f).Length, 1, 1000));
        var numbers = files.SelectMany(Entries).Select(e => int.Parse(e.GetProperty("log").GetString()!["line ".Length..^1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(199, numbers[^1]);
        Assert.Equal(Enumerable.Range(numbers[0], numbers.Count), numbers);
    }

    [Fact]
    public void OneBigWriteIsRotatedEntryByEntry()
    {
        var burst = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 100).Select(i => $"entry {i}\n")));
        using (var log = new JsonFileLog(LogPath, 700, 2))
        {
            log.Write(OutputStream.Stdout, burst, Time);
        }

        Assert.InRange(new FileInfo(LogPath).Length, 1, 700);
        Assert.InRange(new FileInfo(LogPath + ".1").Length, 1, 700);
        Assert.Equal("entry 99\n", Entries(LogPath)[^1].GetProperty("log").GetString());
        Assert.False(File.Exists(LogPath + ".2"));
    }

    [Fact]
    public void MaxFilesOneTruncatesInPlace()
    {
        using (var log = new JsonFileLog(LogPath, 300, 1))
        {
            for (var i = 0; i < 20; i++)
            {
                log.Write(OutputStream.Stdout, Encoding.UTF8.GetBytes($"n {i}\n"), Time);
            }
        }

        Assert.False(File.Exists(LogPath + ".1"));
        Assert.InRange(new FileInfo(LogPath).Length, 1, 300);
        Assert.Equal("n 19\n", Entries(LogPath)[^1].GetProperty("log").GetString());
    }

    [Fact]
    public void EntryLargerThanMaxSizeIsStillWritten()
    {
        using (var log = new JsonFileLog(LogPath, 50, 2))
        {
            log.Write(OutputStream.Stdout, Encoding.UTF8.GetBytes(new string('x', 200) + "\n"), Time);
            log.Write(OutputStream.Stdout, "small\n"u8, Time);
        }

        Assert.Equal("small\n", Entries(LogPath).Single().GetProperty("log").GetString());
        Assert.Equal(201, Entries(LogPath + ".1").Single().GetProperty("log").GetString()!.Length);
    }

    [Fact]
    public void AppendsToAnExistingLog()
    {
        File.WriteAllText(LogPath, """{"log":"old\n","stream":"stdout","time":"2024-01-01T00:00:00Z"}""" + "\n");
        using (var log = new JsonFileLog(LogPath, 0, 1))
        {
            log.Write(OutputStream.Stdout, "new\n"u8, Time);
        }

        Assert.Equal(["old\n", "new\n"], Entries(LogPath).Select(e => e.GetProperty("log").GetString()));
    }

    [Fact]
    public void BadLimitsAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new JsonFileLog(LogPath, -1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JsonFileLog(LogPath, 0, 0));
    }
}
