// Entry point of psc-engine; see ARCHITECTURE.md for its place in the chain.
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using PSContainer.Engine;
using PSContainer.Engine.Daemon;

EngineOptions options;
try
{
    if (args is ["--help"] or ["-h"])
    {
        Console.WriteLine(EngineOptions.Usage);
        return 0;
    }
    if (args is ["--version"] or ["-v"])
    {
        Console.WriteLine($"psc-engine {SystemService.EngineVersion} (API {PSContainer.Engine.Api.ApiVersion.Current})");
        return 0;
    }
    options = EngineOptions.Parse(args);
    _ = options.SocketPath;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"psc-engine: {e.Message}");
    return 2;
}

using var loggers = LoggerFactory.Create(builder =>
{
    builder.SetMinimumLevel(options.Debug ? LogLevel.Debug : LogLevel.Information);
    // Every log line goes to stderr: stdout stays free for whoever starts the engine.
    builder.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    builder.AddSimpleConsole(console =>
    {
        console.SingleLine = true;
        console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        console.UseUtcTimestamp = true;
        console.ColorBehavior = LoggerColorBehavior.Disabled;
    });
});
using var stop = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });

EngineHost host;
try
{
    host = await EngineHost.StartAsync(options, loggers, stop.Token);
}
catch (EngineStartupException e)
{
    Console.Error.WriteLine($"psc-engine: {e.Message}");
    return 1;
}
await using (host)
{
    await host.RunAsync(stop.Token);
}
return 0;
