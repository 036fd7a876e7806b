using System.Globalization;
using System.Text.Json;
using PSContainer.Interop.Linux;
using PSContainer.Shim.Processes;
using PSContainer.Shim.Runtime;
using PSContainer.ShimApi;

namespace PSContainer.Shim.Commands;

/// <summary>
/// `psc-shim delete`: cleanup when the shim is gone (killed, crashed): force-deletes the container
/// in the runtime, unmounts the rootfs if the engine marked it as mounted by itself, removes the
/// shim's and the runtime's files from the bundle, and prints the exit as a ShimExitRecord: the one
/// the shim recorded if it did, else 137 with "unknown" set (the container was killed with it).
/// </summary>
internal static class DeleteCommand
{
    public static async Task<int> RunAsync(ShimOptions options)
    {
        if (File.Exists(options.SocketPath) && await AnswersAsync(options).ConfigureAwait(false))
        {
            await Console.Error.WriteLineAsync($"psc-shim delete: the shim of {options.Id} is alive at {options.SocketPath}; delete through it").ConfigureAwait(false);
            return 1;
        }
        var bundle = options.Bundle;
        var pid = ReadPid(Path.Combine(bundle, ShimPaths.InitPidFile));
        var runtime = new RuntimeCli(options.Runtime, options.RuntimeRoot, Path.Combine(bundle, ShimPaths.RuntimeLogFile), new Reaper());
        try
        {
            await runtime.DeleteAsync(options.Id, force: true).ConfigureAwait(false);
        }
        catch (RuntimeException e)
        {
            // Already gone from the runtime is the normal case after a clean exit; anything else is worth a line.
            await Console.Error.WriteLineAsync($"psc-shim delete: {e.Message} (continuing)").ConfigureAwait(false);
        }

        var marker = Path.Combine(bundle, ShimPaths.RootfsMountedMarker);
        if (File.Exists(marker))
        {
            var rootfs = Path.Combine(bundle, "rootfs");
            if (Libc.umount2(rootfs, Libc.MNT_DETACH) != 0)
            {
                var error = SyscallException.FromLastError("umount2", rootfs);
                if (error.Errno != Errno.EINVAL && error.Errno != Errno.ENOENT)
                {
                    throw error;
                }
            }
            File.Delete(marker);
        }

        var exit = ShimExitRecord.TryRead(bundle);
        if (exit is null)
        {
            exit = new ShimExitRecord(pid, 137, DateTimeOffset.UtcNow, OomKilled: false, Unknown: true);
            exit.Write(bundle);
        }
        RemoveRuntimeFiles(options);
        Console.Out.WriteLine(JsonSerializer.Serialize(exit, ShimJsonContext.Default.ShimExitRecord));
        return 0;
    }

    private static void RemoveRuntimeFiles(ShimOptions options)
    {
        foreach (var name in new[] { ShimPaths.InitPidFile, ShimPaths.ShimPidFile })
        {
            File.Delete(Path.Combine(options.Bundle, name));
        }
        foreach (var pattern in new[] { "exec-*.json", "exec-*.pid", "update-*.json" })
        {
            foreach (var file in Directory.EnumerateFiles(options.Bundle, pattern))
            {
                File.Delete(file);
            }
        }
        File.Delete(options.SocketPath);
        File.Delete(options.SocketPath + ".lock");
        var stem = Path.GetFileNameWithoutExtension(options.SocketPath);
        if (Directory.Exists(options.SocketDirectory))
        {
            foreach (var console in Directory.EnumerateFiles(options.SocketDirectory, stem + ".c*"))
            {
                File.Delete(console);
            }
        }
    }

    private static async Task<bool> AnswersAsync(ShimOptions options)
    {
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

    private static int ReadPid(string path) =>
        File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0;
}
