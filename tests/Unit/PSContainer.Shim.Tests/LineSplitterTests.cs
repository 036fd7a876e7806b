using System.Text;
using PSContainer.Shim.Io;
using Xunit;

namespace PSContainer.Shim.Tests;

public sealed class LineSplitterTests
{
    private static List<(string Line, bool Complete)> Split(params string[] chunks)
    {
        var splitter = new LineSplitter();
        var lines = new List<(string, bool)>();
        foreach (var chunk in chunks)
        {
            splitter.Feed(Encoding.UTF8.GetBytes(chunk), (line, complete) => lines.Add((Encoding.UTF8.GetString(line), complete)));
        }
        splitter.Flush((line, complete) => lines.Add((Encoding.UTF8.GetString(line), complete)));
        return lines;
    }

    [Fact]
    public void LinesEndAtNewlinesWhichAreNotIncluded()
    {
        Assert.Equal([("a", true), ("", true), ("bc", true)], Split("a\n\nbc\n"));
    }

    [Fact]
    public void LineAcrossChunksIsJoined()
    {
        Assert.Equal([("hello world", true), ("x", true)], Split("hel", "lo wo", "rld\nx", "\n"));
    }

    [Fact]
    public void UnterminatedRestIsFlushedAsPartial()
    {
        Assert.Equal([("done", true), ("no newline", false)], Split("done\nno ", "newline"));
    }

    [Fact]
    public void LongLineIsCutIntoMaxLinePiecesMarkedPartial()
    {
        var line = new string('a', 2 * LineSplitter.MaxLine + 100);

        var lines = Split(line[..5000], line[5000..] + "\n");

        Assert.Equal([(LineSplitter.MaxLine, false), (LineSplitter.MaxLine, false), (100, true)], lines.Select(l => (l.Line.Length, l.Complete)));
        Assert.Equal(line, string.Concat(lines.Select(l => l.Line)));
    }

    [Fact]
    public void LineOfExactlyMaxLineIsPartialThenAnEmptyLine()
    {
        // Docker's copier sees a full buffer without a newline and flushes it as partial.
        var lines = Split(new string('b', LineSplitter.MaxLine) + "\n");

        Assert.Equal([(LineSplitter.MaxLine, false), (0, true)], lines.Select(l => (l.Line.Length, l.Complete)));
    }

    [Fact]
    public void LineJustBelowMaxLineStaysWhole()
    {
        var lines = Split(new string('c', LineSplitter.MaxLine - 1) + "\n");

        Assert.Equal([(LineSplitter.MaxLine - 1, true)], lines.Select(l => (l.Line.Length, l.Complete)));
    }

    [Fact]
    public void NothingIsEmittedForNothing()
    {
        Assert.Empty(Split());
        Assert.Empty(Split(""));
    }
}
