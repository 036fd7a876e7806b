using System.Runtime.InteropServices;
using PSContainer.Module.Core.Terminal;
using Xunit;

namespace PSContainer.Module.Tests.Core;

/// <summary>Raw mode and window size on a real pseudo-terminal (posix_openpt), no console needed.</summary>
public sealed partial class RawTerminalTests
{
    private const int O_RDWR = 2;
    private const int O_NOCTTY = 0x100;
    private const uint TIOCSWINSZ = 0x5414;

    [Fact]
    public void Raw_Mode_Leaves_Line_Mode_And_Dispose_Restores_The_Exact_Settings()
    {
        using var pty = Pty.Open();
        var before = TerminalNative.GetAttributes(pty.Slave);
        Assert.True(RawTerminal.IsLineMode(pty.Slave));

        using (var raw = RawTerminal.TryEnter(pty.Slave))
        {
            Assert.NotNull(raw);
            Assert.False(RawTerminal.IsLineMode(pty.Slave));
            var during = TerminalNative.GetAttributes(pty.Slave);
            Assert.Equal(0u, during.LocalFlags & 0x8u); // ECHO off
            Assert.Equal(0u, during.LocalFlags & 0x1u); // ISIG off: Ctrl+C is a byte for the container
            Assert.Equal(0u, during.InputFlags & 0x100u); // ICRNL off: Enter arrives as \r
        }

        var after = TerminalNative.GetAttributes(pty.Slave);
        Assert.Equal(before.InputFlags, after.InputFlags);
        Assert.Equal(before.OutputFlags, after.OutputFlags);
        Assert.Equal(before.ControlFlags, after.ControlFlags);
        Assert.Equal(before.LocalFlags, after.LocalFlags);
        Assert.True(RawTerminal.IsLineMode(pty.Slave));
    }

    [Fact]
    public void Something_That_Is_Not_A_Terminal_Stays_As_It_Is()
    {
        var pipe = Path.GetTempFileName();
        try
        {
            using var file = File.OpenHandle(pipe, FileMode.Open, FileAccess.Read);
            Assert.Null(RawTerminal.TryEnter((int)file.DangerousGetHandle()));
            Assert.Null(RawTerminal.WindowSize((int)file.DangerousGetHandle()));
        }
        finally
        {
            File.Delete(pipe);
        }
    }

    [Fact]
    public void The_Window_Size_Is_Read_From_The_Terminal()
    {
        using var pty = Pty.Open();
        var size = new ushort[] { 42, 133, 0, 0 };
        Assert.Equal(0, SetWindowSize(pty.Master, TIOCSWINSZ, size));
        Assert.Equal((42, 133), RawTerminal.WindowSize(pty.Slave));
    }

    [Fact]
    public void Raw_Reads_Return_Bytes_As_Typed_And_Poll_Times_Out_When_Nothing_Is_Typed()
    {
        using var pty = Pty.Open();
        using var raw = RawTerminal.TryEnter(pty.Slave);
        Assert.False(TerminalNative.WaitReadable(pty.Slave, 10));
        var typed = new byte[] { 0x03, (byte)'l', (byte)'s', (byte)'\r', 0x1b, (byte)'[', (byte)'A' };
        Assert.Equal(typed.Length, (int)WriteBytes(pty.Master, typed, (nuint)typed.Length));
        var received = new List<byte>();
        var buffer = new byte[64];
        while (received.Count < typed.Length && TerminalNative.WaitReadable(pty.Slave, 5000))
        {
            received.AddRange(buffer[..TerminalNative.Read(pty.Slave, buffer)]);
        }
        Assert.Equal(typed, received); // no echo processing, no \r → \n, Ctrl+C kept as 0x03
    }

    /// <summary>A pseudo-terminal pair; the slave is the "console" under test.</summary>
    private sealed class Pty : IDisposable
    {
        private Pty(int master, int slave)
        {
            Master = master;
            Slave = slave;
        }

        public int Master { get; }

        public int Slave { get; }

        public static Pty Open()
        {
            var master = posix_openpt(O_RDWR | O_NOCTTY);
            Assert.True(master >= 0, $"posix_openpt: errno {Marshal.GetLastPInvokeError()}");
            Assert.Equal(0, grantpt(master));
            Assert.Equal(0, unlockpt(master));
            var name = Marshal.PtrToStringUTF8(ptsname(master))!;
            var slave = open(name, O_RDWR | O_NOCTTY);
            Assert.True(slave >= 0, $"open {name}: errno {Marshal.GetLastPInvokeError()}");
            return new Pty(master, slave);
        }

        public void Dispose()
        {
            close(Slave);
            close(Master);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int posix_openpt(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int grantpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int unlockpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial IntPtr ptsname(int fd);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int SetWindowSize(int fd, nuint request, ushort[] size);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteBytes(int fd, byte[] buffer, nuint count);
}
