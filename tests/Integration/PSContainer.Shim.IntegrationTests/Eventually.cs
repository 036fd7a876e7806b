namespace PSContainer.Shim.IntegrationTests;

/// <summary>
/// Waits for a condition that becomes true asynchronously (a log line written, a process gone).
/// The limit is generous and only there so a broken shim fails the test instead of hanging it.
/// </summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, int limitSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(limitSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not true after {limitSeconds} s: {what}");
            }
            await Task.Delay(50);
        }
    }
}
