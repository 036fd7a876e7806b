using System.Net.Sockets;
using System.Text;

namespace PSContainer.Engine.IntegrationTests.Streams;

/// <summary>
/// One HTTP/1.1 request on the engine's socket, by hand, for what the docker CLI cannot show:
/// the raw bytes of a hijacked attach (detach keys arrive as the client sends them) and the
/// status of a refused upgrade. Reads are bounded so a broken engine fails the test instead of
/// hanging it.
/// </summary>
public sealed class RawApiConnection : IDisposable
{
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(60);
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StringBuilder _received = new();

    private RawApiConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false) { ReadTimeout = (int)ReadLimit.TotalMilliseconds };
    }

    public int Status { get; private set; }

    /// <summary>The headers' end onward: response bodies and stream output, as Latin-1 text.</summary>
    public string Received => _received.ToString();

    /// <summary>Sends the request (with Upgrade: tcp, as the docker CLI does for attach and exec start) and reads the status and headers.</summary>
    public static RawApiConnection Open(string socketPath, string method, string path, string? jsonBody = null)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        var connection = new RawApiConnection(socket);
        var body = jsonBody is null ? [] : Encoding.UTF8.GetBytes(jsonBody);
        var head = $"{method} {path} HTTP/1.1\r\nHost: engine\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n" +
            (jsonBody is null ? "" : $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n") + "\r\n";
        connection._stream.Write(Encoding.ASCII.GetBytes(head));
        connection._stream.Write(body);
        connection.ReadHead();
        return connection;
    }

    private void ReadHead()
    {
        var head = new List<byte>();
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            var b = _stream.ReadByte();
            if (b < 0)
            {
                throw new IOException("the engine closed the connection before the response headers ended: " + Encoding.ASCII.GetString([.. head]));
            }
            head.Add((byte)b);
        }
        var statusLine = Encoding.ASCII.GetString([.. head]).Split("\r\n")[0];
        Status = int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Send(string text) => _stream.Write(Encoding.Latin1.GetBytes(text));

    public void Send(params byte[] bytes) => _stream.Write(bytes);

    /// <summary>Reads until <paramref name="text"/> has arrived; fails when the stream ends first.</summary>
    public void ReadUntil(string text)
    {
        var buffer = new byte[4096];
        while (!Received.Contains(text, StringComparison.Ordinal))
        {
            var n = _stream.Read(buffer);
            if (n == 0)
            {
                throw new IOException($"the stream ended before \"{text}\" arrived; received: {Received}");
            }
            _received.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
    }

    /// <summary>Reads until the engine ends the stream (EOF); an IOException when it does not within the read limit.</summary>
    public void ReadToEnd()
    {
        var buffer = new byte[4096];
        int n;
        while ((n = _stream.Read(buffer)) > 0)
        {
            _received.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _socket.Dispose();
    }
}
