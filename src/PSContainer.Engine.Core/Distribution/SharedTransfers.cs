namespace PSContainer.Engine.Core.Distribution;

/// <summary>
/// Single-flight for pulls: concurrent pulls of the same image (the same manifest of the same
/// repository) run one download-and-unpack and all wait for it. Every waiter sees the shared
/// work's progress from the moment it joins. A waiter that is cancelled only stops waiting; the
/// work itself is cancelled when its last waiter is.
/// </summary>
internal sealed class SharedTransfers
{
    private readonly Dictionary<string, Flight> _flights = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Waiters per key that are still waiting (for tests and diagnostics).</summary>
    internal int WaitersOf(string key)
    {
        lock (_lock)
        {
            return _flights.TryGetValue(key, out var flight) ? flight.Waiters : 0;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> for <paramref name="key"/>, or joins the run already under way
    /// (then <paramref name="onJoin"/> is called first). Completes when the work does; throws what it threw.
    /// </summary>
    public async Task RunAsync(string key, Func<IProgress<TransferProgress>, CancellationToken, Task> work,
        IProgress<TransferProgress>? progress, Action? onJoin, CancellationToken cancellationToken)
    {
        Flight flight;
        lock (_lock)
        {
            // A flight whose waiters all gave up is winding down: a new pull starts its own.
            if (!_flights.TryGetValue(key, out flight!) || flight.Cancellation.IsCancellationRequested)
            {
                flight = new Flight();
                _flights[key] = flight;
                flight.Subscribe(progress);
                flight.Task = StartAsync(key, flight, work);
            }
            else
            {
                flight.Subscribe(progress);
                onJoin?.Invoke();
            }
            flight.Waiters++;
        }
        try
        {
            await flight.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            lock (_lock)
            {
                if (--flight.Waiters == 0 && !flight.Done)
                {
                    flight.Cancellation.Cancel();
                }
            }
            throw;
        }
        finally
        {
            flight.Unsubscribe(progress);
        }
    }

    private async Task StartAsync(string key, Flight flight, Func<IProgress<TransferProgress>, CancellationToken, Task> work)
    {
        try
        {
            await Task.Yield(); // the caller registers as a waiter before the work runs
            await work(flight, flight.Cancellation.Token).ConfigureAwait(false);
        }
        finally
        {
            lock (_lock)
            {
                if (_flights.TryGetValue(key, out var current) && current == flight)
                {
                    _flights.Remove(key);
                }
                flight.Done = true;
                flight.Cancellation.Dispose();
            }
        }
    }

    /// <summary>One shared run: its task, its waiters, and the progress sinks it fans out to.</summary>
    private sealed class Flight : IProgress<TransferProgress>
    {
        private readonly List<IProgress<TransferProgress>> _subscribers = [];

        public Task Task { get; set; } = Task.CompletedTask;

        public int Waiters { get; set; }

        /// <summary>Set (under the lock) when the work has ended and its cancellation source is disposed.</summary>
        public bool Done { get; set; }

        public CancellationTokenSource Cancellation { get; } = new();

        public void Subscribe(IProgress<TransferProgress>? progress)
        {
            if (progress is not null)
            {
                lock (_subscribers)
                {
                    _subscribers.Add(progress);
                }
            }
        }

        public void Unsubscribe(IProgress<TransferProgress>? progress)
        {
            if (progress is not null)
            {
                lock (_subscribers)
                {
                    _subscribers.Remove(progress);
                }
            }
        }

        public void Report(TransferProgress value)
        {
            IProgress<TransferProgress>[] targets;
            lock (_subscribers)
            {
                targets = [.. _subscribers];
            }
            foreach (var target in targets)
            {
                target.Report(value);
            }
        }
    }
}
