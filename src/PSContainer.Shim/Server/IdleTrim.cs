namespace PSContainer.Shim.Server;

/// <summary>
/// Gives memory back once a burst of work is over. Creating and starting a container allocates a
/// few MiB that die at once (the parsed OCI spec, the mount and seccomp plans, JSON metadata), and
/// the GC would keep those pages committed for the container's whole life. A shim idles for hours
/// after that burst, so one aggressive, compacting collection a moment after the last start
/// returns them to the kernel (about 2 MiB per shim; README.md "Performance").
/// </summary>
internal sealed class IdleTrim : IDisposable
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    private readonly Timer _timer = new(_ => Trim());

    /// <summary>(Re)arms the trim: it runs <see cref="Quiet"/> after the last call.</summary>
    public void AfterBurst() => _timer.Change(Quiet, Timeout.InfiniteTimeSpan);

    public void Dispose() => _timer.Dispose();

    private static void Trim()
    {
        var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        ShimLog.Info($"idle trim: GC heap committed {before / 1024} KiB -> {GC.GetGCMemoryInfo().TotalCommittedBytes / 1024} KiB");
    }
}
