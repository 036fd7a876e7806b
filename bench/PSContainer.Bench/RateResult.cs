using System.Globalization;

namespace PSContainer.Bench;

/// <summary>What a request-rate run prints: completed requests per second over the measured window.</summary>
internal readonly record struct RateResult(long Requests, long Errors, double Seconds, double MedianLatencyMs, string? FirstError)
{
    public double Rps => Seconds > 0 ? Requests / Seconds : 0;

    public string ToJson()
    {
        var c = CultureInfo.InvariantCulture;
        var error = FirstError is null ? "null" : System.Text.Json.JsonSerializer.Serialize(FirstError, BenchJson.Default.String);
        return string.Create(c, $"{{\"rps\":{Rps:F1},\"requests\":{Requests},\"errors\":{Errors},\"seconds\":{Seconds:F3},\"median_latency_ms\":{MedianLatencyMs:F3},\"first_error\":{error}}}");
    }
}

/// <summary>
/// Runs <paramref name="connections"/> loops of one request after another for a warm-up and then a
/// measured window; only requests that complete inside the window count.
/// </summary>
internal static class RateLoop
{
    public static async Task<RateResult> RunAsync(int connections, TimeSpan warmUp, TimeSpan window, Func<CancellationToken, Task> request)
    {
        await RunWindowAsync(connections, warmUp, request, latencies: null);
        var latencies = new List<double>[connections];
        for (var i = 0; i < connections; i++)
        {
            latencies[i] = [];
        }
        var (requests, errors, seconds, firstError) = await RunWindowAsync(connections, window, request, latencies);
        var all = latencies.SelectMany(l => l).ToList();
        return new RateResult(requests, errors, seconds, all.Count > 0 ? Statistics.Median(all) : 0, firstError);
    }

    private static async Task<(long Requests, long Errors, double Seconds, string? FirstError)> RunWindowAsync(
        int connections, TimeSpan window, Func<CancellationToken, Task> request, List<double>[]? latencies)
    {
        using var stop = new CancellationTokenSource(window);
        long requests = 0, errors = 0;
        string? firstError = null;
        var started = System.Diagnostics.Stopwatch.StartNew();
        var loops = Enumerable.Range(0, connections).Select(i => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    await request(stop.Token);
                    if (!stop.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref requests);
                        latencies?[i].Add(System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // the window closed while this request was in flight: it does not count
                }
                catch (Exception e) when (e is HttpRequestException or IOException or System.Net.Sockets.SocketException or InvalidDataException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, e.Message, null);
                    await Task.Delay(10, CancellationToken.None); // a refusing server must not turn this into a spin
                }
            }
        })).ToArray();
        await Task.WhenAll(loops);
        return (requests, errors, Math.Min(started.Elapsed.TotalSeconds, window.TotalSeconds), firstError);
    }
}
