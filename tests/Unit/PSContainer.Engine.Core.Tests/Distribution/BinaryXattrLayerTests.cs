using System.Text;
using PSContainer.Engine.Core.Diff;
using PSContainer.Engine.Core.Snapshots;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.Core.Tests.Distribution;

/// <summary>
/// Pulled layers carry file capabilities as binary PAX values (SCHILY.xattr.security.capability);
/// they are restored byte for byte, not skipped or mangled by UTF-8 decoding. Layers without the
/// end-of-archive marker (umoci's) apply; a layer cut inside an entry does not.
/// </summary>
public sealed class BinaryXattrLayerTests : IDisposable
{
    // VFS_CAP_REVISION_2, effective, permitted = CAP_NET_BIND_SERVICE (bit 10): what setcap cap_net_bind_service+ep writes.
    private static readonly byte[] Capability = [0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
    private static readonly byte[] NotUtf8 = [0xff, 0xfe, 0x00, 0x80, (byte)'x'];
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_binary_user_xattr_survives_and_the_next_entry_gets_none_of_it()
    {
        var root = Directory.CreateDirectory(_dir.Combine("root")).FullName;
        var tar = RawTar.Build(
            RawTar.Pax(("SCHILY.xattr.user.blob", NotUtf8), ("path", "bin/tool"u8.ToArray())),
            RawTar.File("bin/tool", "#!/bin/sh\n"u8.ToArray()),
            RawTar.File("bin/plain", "x"u8.ToArray()));
        Directory.CreateDirectory(Path.Combine(root, "bin"));

        LayerApplier.Apply(new MemoryStream(tar), new ApplyTarget(root, WhiteoutFormat.Delete, []));

        Assert.Equal(NotUtf8, FileStat.GetXattr(Path.Combine(root, "bin", "tool"), "user.blob"));
        Assert.Equal("#!/bin/sh\n", File.ReadAllText(Path.Combine(root, "bin", "tool")));
        Assert.Null(FileStat.GetXattr(Path.Combine(root, "bin", "plain"), "user.blob"));
        Assert.Equal("x", File.ReadAllText(Path.Combine(root, "bin", "plain")));
    }

    [RequiresRootFact]
    public void A_file_capability_is_restored_byte_for_byte()
    {
        var root = Directory.CreateDirectory(_dir.Combine("root")).FullName;
        var tar = RawTar.Build(
            RawTar.Pax(("SCHILY.xattr.security.capability", Capability)),
            RawTar.File("ping", "ELF"u8.ToArray()));

        LayerApplier.Apply(new MemoryStream(tar), new ApplyTarget(root, WhiteoutFormat.Delete, []));

        Assert.Equal(Capability, FileStat.GetXattr(Path.Combine(root, "ping"), "security.capability"));
    }

    [Fact]
    public void Pax_records_are_split_by_their_byte_lengths_with_binary_values_intact()
    {
        var records = RawTar.Records(("a", "1"u8.ToArray()), ("SCHILY.xattr.user.b", NotUtf8), ("c", Encoding.UTF8.GetBytes("é=\n")));
        var parsed = PaxHeaderRecorder.Parse(records);
        Assert.Equal("1"u8.ToArray(), parsed["a"]);
        Assert.Equal(NotUtf8, parsed["SCHILY.xattr.user.b"]);
        Assert.Equal(Encoding.UTF8.GetBytes("é=\n"), parsed["c"]);
        Assert.Throws<Errdefs.CoreException>(() => PaxHeaderRecorder.Parse("99 a=b\n"u8));
    }

    [Theory]
    [InlineData(512)] // the data ends on a block boundary, as umoci's layers do
    [InlineData(3)] // padded to the block, then nothing
    public void A_layer_without_the_end_of_archive_marker_applies_as_with_docker(int lastFileSize)
    {
        var root = Directory.CreateDirectory(_dir.Combine("root")).FullName;
        var last = new byte[lastFileSize];
        Array.Fill(last, (byte)'z');
        var tar = RawTar.Build(RawTar.File("first", "1"u8.ToArray()), RawTar.File("last", last));
        var unterminated = tar[..^1024]; // no end-of-archive marker

        // Unseekable, as a decompressing stream is: TarReader checks the end only by reading there.
        LayerApplier.Apply(new ForwardOnly(unterminated), new ApplyTarget(root, WhiteoutFormat.Delete, []));

        Assert.Equal("1", File.ReadAllText(Path.Combine(root, "first")));
        Assert.Equal(last, File.ReadAllBytes(Path.Combine(root, "last")));
    }

    [Fact]
    public void A_layer_cut_inside_an_entry_still_fails()
    {
        var root = Directory.CreateDirectory(_dir.Combine("root")).FullName;
        var tar = RawTar.Build(RawTar.File("big", new byte[1024]));
        var cut = tar[..1024]; // the header and half of the data: ends on a block boundary, but inside the entry

        Assert.Throws<EndOfStreamException>(() => LayerApplier.Apply(new ForwardOnly(cut), new ApplyTarget(root, WhiteoutFormat.Delete, [])));
    }

    private sealed class ForwardOnly(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 700)); // short reads too
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Hand-made ustar/PAX archives: System.Formats.Tar cannot write a non-UTF-8 PAX value.</summary>
    private static class RawTar
    {
        public static byte[] Build(params byte[][] parts)
        {
            var all = new MemoryStream();
            foreach (var part in parts)
            {
                all.Write(part);
            }
            all.Write(new byte[1024]); // two zero blocks end the archive
            return all.ToArray();
        }

        public static byte[] File(string name, byte[] content) => Entry(name, '0', content);

        public static byte[] Pax(params (string Key, byte[] Value)[] records) => Entry("PaxHeaders/x", 'x', Records(records));

        public static byte[] Records(params (string Key, byte[] Value)[] records)
        {
            var output = new MemoryStream();
            foreach (var (key, value) in records)
            {
                var body = Encoding.UTF8.GetByteCount(key) + value.Length + 3; // ' ', '=', '\n'
                var length = body + body.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
                if ((length).ToString(System.Globalization.CultureInfo.InvariantCulture).Length != body.ToString(System.Globalization.CultureInfo.InvariantCulture).Length)
                {
                    length++;
                }
                output.Write(Encoding.ASCII.GetBytes($"{length} {key}="));
                output.Write(value);
                output.WriteByte((byte)'\n');
            }
            return output.ToArray();
        }

        private static byte[] Entry(string name, char type, byte[] data)
        {
            var header = new byte[512];
            Encoding.ASCII.GetBytes(name).CopyTo(header, 0);
            Octal(header, 100, 8, 0b110_100_100); // mode 0644
            Octal(header, 108, 8, 0);
            Octal(header, 116, 8, 0);
            Octal(header, 124, 12, data.Length);
            Octal(header, 136, 12, 1_700_000_000);
            header[156] = (byte)type;
            "ustar\0"u8.CopyTo(header.AsSpan(257));
            "00"u8.CopyTo(header.AsSpan(263));
            "        "u8.CopyTo(header.AsSpan(148)); // checksum counted as spaces
            var sum = header.Sum(b => b);
            Octal(header, 148, 8, sum);
            var padded = new byte[512 + ((data.Length + 511) / 512 * 512)];
            header.CopyTo(padded, 0);
            data.CopyTo(padded, 512);
            return padded;
        }

        private static void Octal(byte[] header, int offset, int width, long value) =>
            Encoding.ASCII.GetBytes(Convert.ToString(value, 8).PadLeft(width - 1, '0') + "\0").CopyTo(header, offset);
    }
}
