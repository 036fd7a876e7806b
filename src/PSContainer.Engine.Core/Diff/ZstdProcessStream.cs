using System.Diagnostics;
using PSContainer.Engine.Core.Errdefs;

namespace PSContainer.Engine.Core.Diff;

/// <summary>
/// zstd-compressed layers, decompressed by Debian's zstd program as a streaming child process
/// (.NET has no zstd decoder): the compressed bytes are pumped into its stdin while the tar is
/// read from its stdout. A zstd that fails (corrupt frame) fails the read with its own message.
/// </summary>
internal sealed class ZstdProcessStream : Stream
{
    private static readonly string[] Candidates = ["/usr/bin/zstd", "/bin/zstd", "/usr/local/bin/zstd"];
    private readonly Process _process;
    private readonly Stream _output;
    private readonly Task _pump;
    private readonly Task<string> _errors;
    private readonly string _what;
    private bool _finished;

    private ZstdProcessStream(Process process, Stream compressed, string what)
    {
        _process = process;
        _what = what;
        _output = process.StandardOutput.BaseStream;
        _errors = process.StandardError.ReadToEndAsync();
        _pump = Task.Run(async () =>
        {
            try
            {
                await using var stdin = process.StandardInput.BaseStream;
                await compressed.CopyToAsync(stdin).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // zstd stopped reading (it failed, or the reader was disposed early): its exit status says why.
            }
            finally
            {
                await compressed.DisposeAsync().ConfigureAwait(false);
            }
        });
    }

    /// <summary>The zstd program, or null when it is not installed.</summary>
    public static string? Program => Candidates.FirstOrDefault(File.Exists);

    /// <summary>Starts zstd over <paramref name="compressed"/> (which the stream then owns).</summary>
    public static Stream Open(Stream compressed, string what)
    {
        var program = Program ?? throw CoreException.NotImplemented(
            $"{what}: zstd-compressed layer, and the zstd program is not installed (Debian package zstd)");
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--decompress", "--stdout", "--quiet", "--no-progress" })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw CoreException.Unavailable($"{what}: could not start {program}");
        return new ZstdProcessStream(process, compressed, what);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _output.Read(buffer);
        if (n == 0 && buffer.Length > 0)
        {
            Finish();
        }
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _output.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n == 0 && buffer.Length > 0)
        {
            Finish();
        }
        return n;
    }

    /// <summary>At the end of the output: zstd must have exited 0, else its complaint is the error.</summary>
    private void Finish()
    {
        if (_finished)
        {
            return;
        }
        _finished = true;
        _process.WaitForExit();
        _pump.GetAwaiter().GetResult();
        if (_process.ExitCode != 0)
        {
            throw CoreException.DataCorrupted($"{_what}: zstd failed (exit {_process.ExitCode}): {_errors.GetAwaiter().GetResult().Trim()}");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (!_process.HasExited)
            {
                _process.Kill(); // our own child, by its handle: the reader stopped early
                _process.WaitForExit();
            }
            try
            {
                _pump.GetAwaiter().GetResult();
            }
            catch (ObjectDisposedException)
            {
                // the source was closed under the pump
            }
            _output.Dispose();
            _process.Dispose();
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
