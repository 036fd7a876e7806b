using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PSContainer.Module.Tests.FakeEngine;

/// <summary>What the fake engine answers: a complete body, a body streamed until the handler is done, or a hijacked connection.</summary>
public sealed class FakeResponse
{
    public HttpStatusCode Status { get; init; } = HttpStatusCode.OK;
    public string ContentType { get; init; } = "application/json";
    public byte[] Body { get; init; } = [];
    public Dictionary<string, string> Headers { get; init; } = [];
    /// <summary>Writes a streamed body (the connection closes when it returns).</summary>
    public Func<Stream, CancellationToken, Task>? Streamer { get; init; }
    /// <summary>Send the streamed body with chunked transfer encoding instead of until-close.</summary>
    public bool Chunked { get; init; }
    /// <summary>Takes over the socket after "101 UPGRADED".</summary>
    public Func<Socket, Stream, CancellationToken, Task>? Hijacker { get; init; }

    public static FakeResponse Json(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        new() { Status = status, Body = Encoding.UTF8.GetBytes(json) };

    public static FakeResponse Error(HttpStatusCode status, string message) =>
        Json("{\"message\":" + System.Text.Json.JsonSerializer.Serialize(message) + "}", status);

    public static FakeResponse Empty(HttpStatusCode status = HttpStatusCode.NoContent) => new() { Status = status, ContentType = "text/plain" };

    public static FakeResponse Text(string text) => new() { ContentType = "text/plain", Body = Encoding.UTF8.GetBytes(text) };

    public static FakeResponse Stream(string contentType, Func<Stream, CancellationToken, Task> streamer) =>
        new() { ContentType = contentType, Streamer = streamer };

    public static FakeResponse Hijack(Func<Socket, Stream, CancellationToken, Task> hijacker) =>
        new() { Status = HttpStatusCode.SwitchingProtocols, Hijacker = hijacker };

    /// <summary>Docker's multiplexed framing: type byte, three zeros, big-endian length, payload.</summary>
    public static byte[] Frame(int stream, string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var frame = new byte[8 + payload.Length];
        frame[0] = (byte)stream;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(frame, 8);
        return frame;
    }
}
