namespace PSContainer.Module.Client;

/// <summary>The stream a chunk of container output came from (the stream type byte of Docker's framing).</summary>
public enum OutputStream
{
    StdIn = 0,
    StdOut = 1,
    StdErr = 2,
}

/// <summary>One chunk of container output.</summary>
public readonly record struct OutputChunk(OutputStream Stream, ReadOnlyMemory<byte> Data);
