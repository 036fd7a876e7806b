using System.Diagnostics;
using PSContainer.TestSupport;

namespace PSContainer.Runc.IntegrationTests;

/// <summary>
/// What the podman and dockerd fixtures share: a private work directory, commands with a time
/// limit, and a teardown that unmounts whatever the engine left under its directory.
/// </summary>
public abstract class EngineHost : IDisposable
{
    /// <summary>A hung engine command fails the test instead of stalling the suite.</summary>
    private const string CommandLimitSeconds = "120";

    protected EngineHost(string prefix)
    {
        // Short: containerd's socket paths under dockerd's exec root must stay below 108 bytes.
        Dir = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Dir { get; }

    public static string Psc => Cli.Psc;

    /// <summary>Whether the fixture set anything up (root only; otherwise the tests skip).</summary>
    protected static bool CanRun => TestEnvironment.WhyNotRoot() is null;

    protected static Cli.Result Timed(string file, IEnumerable<string> args) =>
        Cli.Exec("timeout", ["-k", "5", CommandLimitSeconds, file, .. args]);

    protected static string Require(string file) =>
        File.Exists(file) || Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(d => File.Exists(Path.Combine(d, file)))
            ? file
            : throw new InvalidOperationException($"{file} is not installed (scripts/install-deps.sh installs it)");

    /// <summary>Stops what the engine runs; called before the directory is unmounted and removed.</summary>
    protected abstract void StopEngine();

    public void Dispose()
    {
        try
        {
            if (CanRun)
            {
                StopEngine();
            }
        }
        finally
        {
            UnmountUnder(Dir);
            Directory.Delete(Dir, recursive: true);
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Lazily unmounts every mount below <paramref name="dir"/>, deepest first.</summary>
    private static void UnmountUnder(string dir)
    {
        var points = File.ReadAllLines("/proc/self/mountinfo")
            .Select(l => l.Split(' ')[4].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(p => p.StartsWith(dir + "/", StringComparison.Ordinal))
            .OrderByDescending(p => p.Length)
            .ToList();
        foreach (var point in points)
        {
            Cli.Exec("umount", ["-l", point]);
        }
    }

    /// <summary>SIGTERM, then SIGKILL if <paramref name="pid"/> outlives the grace period. Only for processes the fixture started.</summary>
    protected static void StopProcess(System.Diagnostics.Process process, int graceMs)
    {
        if (process.HasExited)
        {
            return;
        }
        Cli.Exec("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (!process.WaitForExit(graceMs))
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    /// <summary>Starts <paramref name="file"/> with its output in <paramref name="log"/>; the process is the daemon itself (exec).</summary>
    protected static System.Diagnostics.Process StartDaemon(string log, string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("log=$1; shift; exec \"$@\" >>\"$log\" 2>&1 </dev/null");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(log);
        psi.ArgumentList.Add(file);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        return System.Diagnostics.Process.Start(psi)!;
    }
}
