using System.Text;
using PSContainer.Module.Client;
using PSContainer.Module.Tests.FakeEngine;
using Xunit;

namespace PSContainer.Module.Tests.Client;

public class StreamReaderTests
{
    /// <summary>A stream that hands out at most one byte per read, as a slow socket may.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }

    private static async Task<List<(OutputStream, string)>> ReadAll(Stream stream, bool raw)
    {
        var reader = new MultiplexedStreamReader(stream, raw);
        var result = new List<(OutputStream, string)>();
        while (await reader.ReadAsync(CancellationToken.None) is { } chunk)
        {
            result.Add((chunk.Stream, Encoding.UTF8.GetString(chunk.Data.Span)));
        }
        return result;
    }

    [Fact]
    public async Task Frames_Are_Read_Whole_Even_When_The_Socket_Trickles()
    {
        var data = FakeResponse.Frame(1, "hello ").Concat(FakeResponse.Frame(2, "oops")).Concat(FakeResponse.Frame(1, "")).Concat(FakeResponse.Frame(1, "world")).ToArray();

        var chunks = await ReadAll(new TrickleStream(data), raw: false);

        Assert.Equal([(OutputStream.StdOut, "hello "), (OutputStream.StdErr, "oops"), (OutputStream.StdOut, ""), (OutputStream.StdOut, "world")], chunks);
    }

    [Fact]
    public async Task Raw_Tty_Output_Is_All_Stdout()
    {
        var chunks = await ReadAll(new MemoryStream("\u001b[1mbold\r\n"u8.ToArray()), raw: true);
        Assert.Equal(OutputStream.StdOut, Assert.Single(chunks).Item1);
    }

    [Fact]
    public async Task A_Bad_Header_Is_An_Error_Not_Garbage()
    {
        var error = await Assert.ThrowsAsync<EngineException>(() => ReadAll(new MemoryStream("hello world, no frames"u8.ToArray()), raw: false));
        Assert.Contains("malformed output frame header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Stream_Cut_Inside_A_Frame_Is_An_Error()
    {
        var frame = FakeResponse.Frame(1, "0123456789");
        var error = await Assert.ThrowsAsync<EngineException>(() => ReadAll(new MemoryStream(frame[..12]), raw: false));
        Assert.Contains("ended", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_Split_Across_Chunks_And_Utf8_Split_Across_Chunks_Come_Out_Whole_Per_Stream()
    {
        var splitter = new LineSplitter();
        var euro = "€"u8.ToArray();
        Assert.Empty(splitter.Push(new OutputChunk(OutputStream.StdOut, "a"u8.ToArray().Concat(euro[..1]).ToArray())));
        Assert.Empty(splitter.Push(new OutputChunk(OutputStream.StdErr, "err"u8.ToArray())));
        Assert.Equal(["a€b", "second"], splitter.Push(new OutputChunk(OutputStream.StdOut, euro[1..].Concat("b\r\nsecond\n"u8.ToArray()).ToArray())));
        Assert.Equal(["err line"], splitter.Push(new OutputChunk(OutputStream.StdErr, " line\ntail"u8.ToArray())));
        Assert.Equal([(OutputStream.StdErr, "tail")], splitter.Flush());
    }

    [Fact]
    public async Task Json_Lines_Skip_Blanks_And_Report_Bad_Lines()
    {
        var good = new MemoryStream("{\"status\":\"a\"}\n\n{\"status\":\"b\"}"u8.ToArray());
        var statuses = new List<string?>();
        await foreach (var message in JsonLinesReader.ReadAsync(good, Api.ApiJsonContext.Default.ProgressMessage, CancellationToken.None))
        {
            statuses.Add(message.Status);
        }
        Assert.Equal(["a", "b"], statuses);

        var bad = new MemoryStream("{\"status\":\"a\"}\nnot json\n"u8.ToArray());
        var error = await Assert.ThrowsAsync<EngineException>(async () =>
        {
            await foreach (var _ in JsonLinesReader.ReadAsync(bad, Api.ApiJsonContext.Default.ProgressMessage, CancellationToken.None))
            {
            }
        });
        Assert.Contains("not json", error.Message, StringComparison.Ordinal);
    }
}
