using System.Text;
using PSContainer.Shim.Processes;
using PSContainer.ShimApi;

namespace PSContainer.Shim.Commands;

/// <summary>
/// `psc-shim start`: returns the address of the container's shim, starting it first if it does not
/// answer. The server is spawned in a new session (so it has no controlling terminal and does not
/// get the caller's terminal signals), with stdin from /dev/null and stdout/stderr to
/// &lt;bundle&gt;/shim.log, and moves itself out of the caller's cgroups (see ShimCgroup). It tells
/// start that its socket is listening through an inherited pipe, so there is no polling.
/// </summary>
internal static class StartCommand
{
    public static async Task<int> RunAsync(ShimOptions options)
    {
        Directory.CreateDirectory(options.SocketDirectory);
        using var startLock = await LockAsync(options.SocketPath + ".lock").ConfigureAwait(false);
        if (await IsAliveAsync(options).ConfigureAwait(false))
        {
            Console.Out.WriteLine(ShimPaths.AddressScheme + options.SocketPath);
            return 0;
        }

        var (readyRead, readyWrite) = FileDescriptor.Pipe();
        using (readyRead)
        {
            var logHandle = File.OpenHandle(Path.Combine(options.Bundle, ShimPaths.ShimLogFile), FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            using (logHandle)
            using (readyWrite)
            using (var devNull = FileDescriptor.DevNull())
            {
                var (path, prefix) = SelfCommand();
                var args = new List<string>(prefix) { "serve" };
                args.AddRange(options.ToArguments());
                args.AddRange(["--ready-fd", "3"]);
                var log = (int)logHandle.DangerousGetHandle();
                ServerEnvironment.PrepareForServer();
                Spawner.Spawn(new SpawnRequest(path, args, devNull.Fd, log, log)
                {
                    ExtraFds = [(readyWrite.Fd, 3)],
                    NewSession = true,
                }, reaper: null);
            }
            var answer = ReadAll(readyRead);
            if (answer != "ready\n")
            {
                var shimLog = Path.Combine(options.Bundle, ShimPaths.ShimLogFile);
                var tail = File.Exists(shimLog) ? string.Join('\n', File.ReadLines(shimLog).TakeLast(5)) : "";
                await Console.Error.WriteLineAsync($"psc-shim start: the shim server did not come up{(answer.Length > 0 ? ": " + answer.Trim() : "")}\n{tail}").ConfigureAwait(false);
                return 1;
            }
        }
        Console.Out.WriteLine(ShimPaths.AddressScheme + options.SocketPath);
        return 0;
    }

    /// <summary>How to run this program again: the apphost, or `dotnet psc-shim.dll`.</summary>
    private static (string Path, string[] Prefix) SelfCommand()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell this program's path");
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? (process, [Path.Combine(AppContext.BaseDirectory, "psc-shim.dll")])
            : (process, []);
    }

    private static async Task<bool> IsAliveAsync(ShimOptions options)
    {
        if (!File.Exists(options.SocketPath))
        {
            return false;
        }
        try
        {
            await using var client = await ShimClient.ConnectAsync(options.SocketPath, options.Id, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException or ShimException)
        {
            return false;
        }
    }

    /// <summary>One start at a time per container: an exclusive (flock) lock on a file next to the socket.</summary>
    private static async Task<FileStream> LockAsync(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 300)
            {
                await Task.Delay(100).ConfigureAwait(false);
            }
        }
    }

    private static string ReadAll(FileDescriptor fd)
    {
        var text = new StringBuilder();
        var buffer = new byte[256];
        int n;
        while ((n = fd.Read(buffer)) > 0)
        {
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        return text.ToString();
    }
}
