using System.Net.Sockets;
using System.Text;

namespace PSContainer.Engine.Tests.Http;

/// <summary>A deliberately dumb HTTP/1.1 client over a Unix socket: the tests see the exact bytes.</summary>
internal sealed class RawHttpClient : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly List<byte> _pending = [];

    public RawHttpClient(string socketPath)
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        _stream = new NetworkStream(_socket, ownsSocket: true);
    }

    public NetworkStream Stream => _stream;

    public Socket Socket => _socket;

    public void Send(string text) => _stream.Write(Encoding.ASCII.GetBytes(text));

    public void Send(byte[] bytes) => _stream.Write(bytes);

    /// <summary>Reads status line and headers; the body is read separately.</summary>
    public (int Status, Dictionary<string, string> Headers) ReadHead()
    {
        var statusLine = ReadLine();
        var status = int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var line = ReadLine(); line.Length > 0; line = ReadLine())
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return (status, headers);
    }

    /// <summary>A whole response: head plus the body by Content-Length or chunked coding.</summary>
    public (int Status, Dictionary<string, string> Headers, string Body) ReadResponse(bool head = false)
    {
        var (status, headers) = ReadHead();
        if (head || status is 204 or 304)
        {
            return (status, headers, "");
        }
        if (headers.TryGetValue("Content-Length", out var length))
        {
            return (status, headers, Encoding.UTF8.GetString(ReadExactly(int.Parse(length, System.Globalization.CultureInfo.InvariantCulture))));
        }
        var body = new StringBuilder();
        while (true)
        {
            var size = Convert.ToInt32(ReadLine(), 16);
            if (size == 0)
            {
                ReadLine();
                return (status, headers, body.ToString());
            }
            body.Append(Encoding.UTF8.GetString(ReadExactly(size)));
            ReadLine();
        }
    }

    public string ReadLine()
    {
        var line = new List<byte>();
        while (true)
        {
            var b = ReadByte();
            if (b == '\n')
            {
                return Encoding.ASCII.GetString([.. line]).TrimEnd('\r');
            }
            line.Add((byte)b);
        }
    }

    public byte[] ReadExactly(int count)
    {
        var result = new byte[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = (byte)ReadByte();
        }
        return result;
    }

    /// <summary>Everything until the server closes the connection.</summary>
    public byte[] ReadToEnd()
    {
        var result = new List<byte>(_pending);
        _pending.Clear();
        var buffer = new byte[4096];
        int n;
        while ((n = _stream.Read(buffer)) > 0)
        {
            result.AddRange(buffer.AsSpan(0, n));
        }
        return [.. result];
    }

    private int ReadByte()
    {
        if (_pending.Count > 0)
        {
            var b = _pending[0];
            _pending.RemoveAt(0);
            return b;
        }
        var value = _stream.ReadByte();
        return value < 0 ? throw new EndOfStreamException("server closed the connection") : value;
    }

    public void Dispose() => _stream.Dispose();
}
