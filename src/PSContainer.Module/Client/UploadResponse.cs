using System.Net;
using System.Net.Sockets;

namespace PSContainer.Module.Client;

/// <summary>
/// The answer to an upload sent by <see cref="EngineClient.UploadAsync"/>: the status and a body
/// stream; disposing it closes the connection and ends the upload if it is still running.
/// </summary>
public sealed class UploadResponse : IAsyncDisposable, IDisposable
{
    private readonly Socket _socket;
    private readonly Task _upload;
    private readonly CancellationTokenSource _uploadCancel;

    internal UploadResponse(HttpStatusCode status, Stream body, Socket socket, Task upload, CancellationTokenSource uploadCancel)
    {
        StatusCode = status;
        Body = body;
        _socket = socket;
        _upload = upload;
        _uploadCancel = uploadCancel;
    }

    public HttpStatusCode StatusCode { get; }

    public Stream Body { get; }

    /// <summary>Waits until the whole body has been sent (for requests whose answer comes before the engine has read it all).</summary>
    public Task CompleteUploadAsync() => _upload;

    public async ValueTask DisposeAsync()
    {
        await _uploadCancel.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        try
        {
            await _upload.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The answer is what counts; an upload cut short by closing is expected here.
        }
        _uploadCancel.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
