// psc-shim: one per container; see ARCHITECTURE.md ("psc-shim") and README.md in this folder.
using PSContainer.Shim.Commands;

const string Usage = """
    usage: psc-shim start  --id ID --bundle DIR [--address ENGINE-EVENTS-SOCKET] [--runtime PATH] [--runtime-root DIR]
                           [--socket-dir DIR] [--log-max-size BYTES] [--log-max-files N]
           psc-shim delete --id ID --bundle DIR [--runtime PATH] [--runtime-root DIR] [--socket-dir DIR]
    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}
try
{
    var options = ShimOptions.Parse(args[1..]);
    return args[0] switch
    {
        "start" => await StartCommand.RunAsync(options),
        "serve" => await ServeCommand.RunAsync(options),
        "delete" => await DeleteCommand.RunAsync(options),
        _ => throw new ArgumentException($"unknown verb '{args[0]}'"),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"psc-shim: {e.Message}\n{Usage}");
    return 2;
}
#pragma warning disable CA1031 // the last line of defence: report and exit non-zero
catch (Exception e)
{
    Console.Error.WriteLine($"psc-shim {args[0]}: {e.Message}");
    return 1;
}
#pragma warning restore CA1031
