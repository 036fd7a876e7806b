using System.Text.Json;
using System.Threading.Channels;
using PSContainer.ShimApi;

namespace PSContainer.Shim.Io;

/// <summary>
/// Fans a process's live output out to the attach connections. Each reader has its own queue; one
/// that falls more than <see cref="MaxBacklog"/> bytes behind is disconnected, so a stuck client
/// can neither block the process nor grow the shim's memory. Output made before the first reader
/// arrives is kept up to MaxBacklog when <c>keepUntilFirstReader</c> (exec processes, whose output
/// is not logged) and replayed to it.
/// </summary>
internal sealed class AttachHub(bool keepUntilFirstReader)
{
    public const int MaxBacklog = 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly List<Reader> _readers = [];
    private List<byte[]>? _early = keepUntilFirstReader ? [] : null;
    private int _earlyBytes;
    private byte[]? _exitFrame;

    public int ReaderCount
    {
        get
        {
            lock (_gate)
            {
                return _readers.Count;
            }
        }
    }

    public void Publish(OutputStream stream, ReadOnlySpan<byte> data)
    {
        var kind = stream == OutputStream.Stdout ? AttachFrameKind.Stdout : AttachFrameKind.Stderr;
        lock (_gate)
        {
            if (_readers.Count == 0)
            {
                if (_early is not null && _earlyBytes + data.Length <= MaxBacklog)
                {
                    _early.Add(AttachFraming.Encode(kind, data));
                    _earlyBytes += data.Length;
                }
                return;
            }
            var frame = AttachFraming.Encode(kind, data);
            foreach (var reader in _readers)
            {
                reader.Offer(kind, frame);
            }
        }
    }

    /// <summary>The last frame for every reader, present and future.</summary>
    public void Complete(ExitResult exit)
    {
        var frame = AttachFraming.Encode(AttachFrameKind.Exit, JsonSerializer.SerializeToUtf8Bytes(exit, ShimJsonContext.Default.ExitResult));
        lock (_gate)
        {
            _exitFrame = frame;
            foreach (var reader in _readers)
            {
                reader.Finish(frame);
            }
        }
    }

    /// <summary>
    /// Registers a reader now, so that nothing published after this call is missed (the client
    /// may write to stdin as soon as it has the answer to Attach), and streams to it later.
    /// </summary>
    public Subscription Subscribe(bool stdout, bool stderr)
    {
        var reader = new Reader(stdout, stderr);
        lock (_gate)
        {
            if (_early is not null)
            {
                foreach (var frame in _early)
                {
                    reader.Offer((AttachFrameKind)frame[0], frame);
                }
                _early = null;
            }
            if (_exitFrame is not null)
            {
                reader.Finish(_exitFrame);
            }
            else
            {
                _readers.Add(reader);
            }
        }
        return new Subscription(this, reader);
    }

    private void Remove(Reader reader)
    {
        lock (_gate)
        {
            _readers.Remove(reader);
        }
    }

    /// <summary>One attached reader.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly AttachHub _hub;
        private readonly Reader _reader;

        internal Subscription(AttachHub hub, Reader reader)
        {
            _hub = hub;
            _reader = reader;
        }

        /// <summary>Streams frames to <paramref name="output"/> until the exit frame, a write failure or cancellation.</summary>
        public async Task StreamAsync(Stream output, CancellationToken cancellationToken)
        {
            await foreach (var frame in _reader.Frames.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await output.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
                _reader.Written(frame.Length);
            }
        }

        public void Dispose() => _hub.Remove(_reader);
    }

    internal sealed class Reader(bool stdout, bool stderr)
    {
        private readonly Channel<byte[]> _frames = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
        private long _backlog;

        public ChannelReader<byte[]> Frames => _frames.Reader;

        public void Offer(AttachFrameKind kind, byte[] frame)
        {
            if ((kind == AttachFrameKind.Stdout && !stdout) || (kind == AttachFrameKind.Stderr && !stderr))
            {
                return;
            }
            if (Interlocked.Add(ref _backlog, frame.Length) > MaxBacklog)
            {
                _frames.Writer.TryComplete(new IOException($"attach reader fell more than {MaxBacklog} bytes behind"));
                return;
            }
            _frames.Writer.TryWrite(frame);
        }

        public void Written(int length) => Interlocked.Add(ref _backlog, -length);

        public void Finish(byte[] exitFrame)
        {
            _frames.Writer.TryWrite(exitFrame);
            _frames.Writer.TryComplete();
        }
    }
}
