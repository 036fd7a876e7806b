using PSContainer.Bench;

// psc-bench VERB [options]: the small measuring tools bench/run.sh calls. Each verb prints one
// JSON object on stdout (or writes the files it is asked for) and exits 0; bad usage exits 2.
try
{
    if (args.Length == 0)
    {
        return Usage();
    }
    var options = new Options(args.AsSpan(1).ToArray());
    return args[0] switch
    {
        "wait-ping" => await WaitPingCommand.RunAsync(options),
        "api-rate" => await ApiRateCommand.RunAsync(options),
        "tcp-rate" => await TcpRateCommand.RunAsync(options),
        "report" => ReportCommand.Run(options),
        _ => Usage(),
    };
}
catch (UsageException e)
{
    await Console.Error.WriteLineAsync($"psc-bench {args[0]}: {e.Message}");
    return 2;
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage: psc-bench VERB [options]
          wait-ping --socket PATH [--ready FILE] [--timeout SECONDS]
              poll GET /_ping on a Unix socket; print {"answered_us": unix microseconds of the first 200}
          api-rate  --socket PATH --path URLPATH [--seconds S] [--connections N]
              keep-alive GET requests over a Unix socket; print {"rps":..,"requests":..,"errors":..}
          tcp-rate  --url http://127.0.0.1:PORT/ [--seconds S] [--connections N]
              one HTTP/1.0 GET per connection; print {"rps":..,"requests":..,"errors":..}
          report    --samples FILE --meta FILE [--trace FILE] --out DIR
              write DIR/results.json and DIR/results.md from the samples bench/run.sh recorded
        """);
    return 2;
}
