using System.Formats.Tar;
using System.Text;

namespace PSContainer.Engine.Core.Tests.Diff;

/// <summary>Builds layer tars in memory for tests.</summary>
internal sealed class TarBuilder
{
    private readonly MemoryStream _stream = new();
    private readonly TarWriter _writer;

    public TarBuilder()
    {
        _writer = new TarWriter(_stream, TarEntryFormat.Pax, leaveOpen: true);
    }

    public static readonly DateTimeOffset Time = new(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public TarBuilder Dir(string name, UnixFileMode mode = (UnixFileMode)0x1ED, int uid = 0, int gid = 0) =>
        Add(new PaxTarEntry(TarEntryType.Directory, name) { Mode = mode, Uid = uid, Gid = gid, ModificationTime = Time });

    public TarBuilder File(string name, string content, UnixFileMode mode = (UnixFileMode)0x1A4, int uid = 0, int gid = 0,
        IDictionary<string, string>? pax = null)
    {
        var entry = pax is null ? new PaxTarEntry(TarEntryType.RegularFile, name) : new PaxTarEntry(TarEntryType.RegularFile, name, pax);
        entry.Mode = mode;
        entry.Uid = uid;
        entry.Gid = gid;
        entry.ModificationTime = Time;
        entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
        return Add(entry);
    }

    public TarBuilder Symlink(string name, string target) =>
        Add(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target, Mode = (UnixFileMode)0x1FF, ModificationTime = Time });

    public TarBuilder HardLink(string name, string target) =>
        Add(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target, Mode = (UnixFileMode)0x1A4, ModificationTime = Time });

    public TarBuilder Fifo(string name) =>
        Add(new PaxTarEntry(TarEntryType.Fifo, name) { Mode = (UnixFileMode)0x1A4, ModificationTime = Time });

    public TarBuilder CharDevice(string name, int major, int minor) =>
        Add(new PaxTarEntry(TarEntryType.CharacterDevice, name) { Mode = (UnixFileMode)0x1B6, DeviceMajor = major, DeviceMinor = minor, ModificationTime = Time });

    private TarBuilder Add(TarEntry entry)
    {
        _writer.WriteEntry(entry);
        return this;
    }

    public MemoryStream Build()
    {
        _writer.Dispose();
        _stream.Position = 0;
        return _stream;
    }
}
