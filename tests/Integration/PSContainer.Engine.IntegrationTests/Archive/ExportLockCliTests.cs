using System.Diagnostics;
using System.Formats.Tar;
using PSContainer.TestSupport;
using Xunit;

namespace PSContainer.Engine.IntegrationTests.Archive;

/// <summary>
/// docker export of a stopped container holds the container while it streams: a start or a
/// removal meanwhile waits for the export's end instead of changing or deleting the rootfs under
/// it. The export is held mid-stream by not reading it (busybox's rootfs is larger than the pipe
/// and socket buffers between the engine and the test); the checks are about order, not time.
/// </summary>
public sealed class ExportLockCliTests(EngineFixture fixture) : IClassFixture<EngineFixture>, IDisposable
{
    private readonly List<string> _containers = [];

    private EngineProcess Engine => fixture.Engine!;

    public void Dispose()
    {
        if (_containers.Count > 0)
        {
            Engine.Docker("rm -f " + string.Join(' ', _containers));
        }
    }

    /// <summary>Reads the rest of the export; returns the busybox binary's size as the archive holds it.</summary>
    private static long FinishExport(Process export, byte[] head)
    {
        using var rest = new MemoryStream();
        rest.Write(head);
        export.StandardOutput.BaseStream.CopyTo(rest);
        export.WaitForExit();
        Assert.True(export.ExitCode == 0, export.StandardError.ReadToEnd());
        rest.Position = 0;
        using var reader = new TarReader(rest);
        long busybox = -1;
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name.TrimStart('.', '/') == "bin/busybox")
            {
                busybox = entry.Length;
            }
        }
        return busybox;
    }

    /// <summary>docker export with its output read by the test: only the first 64 KiB until <see cref="FinishExport"/>.</summary>
    private Process StartExportKeepingHead(string name, out byte[] head)
    {
        var info = new ProcessStartInfo(EngineProcess.DockerCli) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("export");
        info.ArgumentList.Add(name);
        info.Environment["DOCKER_HOST"] = "unix://" + Engine.SocketPath;
        info.Environment["DOCKER_CONFIG"] = Path.Combine(Engine.Root, "docker-config");
        var process = Process.Start(info)!;
        head = new byte[64 * 1024];
        process.StandardOutput.BaseStream.ReadExactly(head);
        return process;
    }

    [RequiresRootFact]
    public void AStartWaitsForTheExportToEnd()
    {
        _containers.Add("export-start");
        Engine.DockerOk("create --network none --name export-start busybox true");
        var export = StartExportKeepingHead("export-start", out var head);
        var start = Task.Run(() => Engine.Docker("start export-start"));
        // Give a start that does not wait every chance to run now, while the export is held.
        Thread.Sleep(TimeSpan.FromSeconds(2));
        Assert.False(start.IsCompleted, "docker start finished while the export was still streaming");
        Assert.True(FinishExport(export, head) > 100_000);
        var started = start.GetAwaiter().GetResult();
        Assert.True(started.ExitCode == 0, started.ToString());
        Assert.Equal("0", Engine.DockerOk("wait export-start").Trim());
    }

    [RequiresRootFact]
    public void ARemovalWaitsAndTheExportIsComplete()
    {
        _containers.Add("export-rm");
        Engine.DockerOk("create --network none --name export-rm busybox true");
        var export = StartExportKeepingHead("export-rm", out var head);
        var remove = Task.Run(() => Engine.Docker("rm -f export-rm"));
        Thread.Sleep(TimeSpan.FromSeconds(2));
        Assert.False(remove.IsCompleted, "docker rm finished while the export was still streaming");
        var busyboxSize = FinishExport(export, head);
        var removed = remove.GetAwaiter().GetResult();
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.True(busyboxSize > 100_000, $"bin/busybox in the export: {busyboxSize} bytes");
        Assert.NotEqual(0, Engine.Docker("inspect export-rm").ExitCode);
    }
}
