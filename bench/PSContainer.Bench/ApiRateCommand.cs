namespace PSContainer.Bench;

/// <summary>
/// Requests per second for one Engine API endpoint (GET /containers/json?all=1 in the benchmark),
/// over keep-alive connections on the engine's Unix socket, reading every response body in full.
/// </summary>
internal static class ApiRateCommand
{
    public static async Task<int> RunAsync(Options options)
    {
        var socketPath = options.Required("socket");
        var path = options.Required("path");
        var seconds = options.Number("seconds", 3);
        var connections = (int)options.Number("connections", 4);
        using var client = UnixHttp.Create(socketPath, connections);

        var result = await RateLoop.RunAsync(connections, TimeSpan.FromSeconds(Math.Min(1, seconds / 3)), TimeSpan.FromSeconds(seconds),
            async cancel =>
            {
                using var response = await client.GetAsync(path, HttpCompletionOption.ResponseContentRead, cancel);
                if (!response.IsSuccessStatusCode)
                {
                    throw new HttpRequestException($"GET {path}: HTTP {(int)response.StatusCode}");
                }
            });
        Console.WriteLine(result.ToJson());
        return result.Requests > 0 ? 0 : 1;
    }
}
