using System.Net.Sockets;

namespace PSContainer.Module.Client;

/// <summary>
/// A connection the engine handed over to raw bytes after <c>101 UPGRADED</c> (attach and exec
/// start with <c>Upgrade: tcp</c>): reads give the container's output (multiplexed, or raw with a
/// tty), writes go to its stdin, and <see cref="CloseInput"/> half-closes so the process sees EOF.
/// </summary>
public sealed class HijackedConnection : IDisposable
{
    private readonly Socket _socket;

    internal HijackedConnection(Socket socket, bool tty)
    {
        _socket = socket;
        Stream = new NetworkStream(socket, ownsSocket: false);
        Tty = tty;
        Output = new MultiplexedStreamReader(Stream, raw: tty);
    }

    public Stream Stream { get; }

    public bool Tty { get; }

    public MultiplexedStreamReader Output { get; }

    public ValueTask WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        Stream.WriteAsync(data, cancellationToken);

    /// <summary>Ends the container's stdin while its output keeps flowing.</summary>
    public void CloseInput() => _socket.Shutdown(SocketShutdown.Send);

    public void Dispose()
    {
        Stream.Dispose();
        _socket.Dispose();
    }
}
