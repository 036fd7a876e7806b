using System.Diagnostics;
using System.Text.Json;
using PSContainer.Oci;
using PSContainer.TestSupport;

namespace PSContainer.Runc.IntegrationTests;

/// <summary>
/// A busybox rootfs unpacked once with umoci (runc spec shape), shared read-only by the tests of a
/// class; each test makes its own bundle directory with its own config.json pointing at it, and its
/// own state roots for psc-runc and runc. Everything is removed at the end, also after failures.
/// </summary>
public sealed class BundleFixture : IDisposable
{
    public BundleFixture()
    {
        Dir = Directory.CreateTempSubdirectory("psc-runc-it-").FullName;
        // Containers with a user namespace run as a mapped uid that must be able to reach the rootfs.
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(Dir, (UnixFileMode)0x1ED /* 0755 */);
        }
        if (TestEnvironment.WhyNotRoot() is not null)
        {
            return;
        }
        var image = TestEnvironment.Image("busybox-oci");
        Run("umoci", "unpack", "--image", image + ":latest", Path.Combine(Dir, "busybox"));
        Rootfs = Path.Combine(Dir, "busybox", "rootfs");
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(Path.Combine(Dir, "busybox"), (UnixFileMode)0x1ED /* 0755: umoci makes it 0700 */);
        }
        Template = File.ReadAllText(Path.Combine(Dir, "busybox", "config.json"));
    }

    public string Dir { get; }

    public string Rootfs { get; } = "";

    /// <summary>umoci's config.json (terminal true, args ["sh"]): tests change what they need.</summary>
    public string Template { get; } = "";

    /// <summary>A new bundle whose config is the template changed by <paramref name="change"/>.</summary>
    public Bundle NewBundle(Action<Spec> change)
    {
        var spec = JsonSerializer.Deserialize(Template, OciJsonContext.Default.Spec)!;
        spec.Root!.Path = Rootfs;
        spec.Process!.Terminal = false;
        change(spec);
        var dir = Directory.CreateTempSubdirectory("b-").FullName;
        File.WriteAllText(Path.Combine(dir, "config.json"), JsonSerializer.Serialize(spec, OciJsonContext.Default.Spec));
        return new Bundle(dir);
    }

    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {p.ExitCode}: {error}");
    }

    public void Dispose()
    {
        if (Directory.Exists(Dir))
        {
            Directory.Delete(Dir, recursive: true);
        }
    }
}

/// <summary>One bundle directory (config.json only; the rootfs is shared) and its state roots.</summary>
public sealed class Bundle(string dir) : IDisposable
{
    public string Dir { get; } = dir;

    public string PscRoot { get; } = Path.Combine(dir, "psc-state");

    public string RuncRoot { get; } = Path.Combine(dir, "runc-state");

    public void Dispose()
    {
        // Whatever a test left running is removed with the runtimes themselves, then the directory.
        foreach (var (runtime, root) in new[] { (Cli.Psc, PscRoot), ("/usr/sbin/runc", RuncRoot) })
        {
            if (!Directory.Exists(root))
            {
                continue;
            }
            foreach (var id in Directory.EnumerateDirectories(root).Select(Path.GetFileName))
            {
                Cli.Exec(runtime, ["--root", root, "delete", "--force", id!]);
            }
        }
        Directory.Delete(Dir, recursive: true);
    }
}

/// <summary>Runs psc-runc (from PSC_BIN) or runc and collects exit code, stdout and stderr.</summary>
public static class Cli
{
    public static string Psc => Path.Combine(TestEnvironment.BinDir, "psc-runc");

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <remarks>
    /// Output goes to files, not pipes: after `create` (or `run -d`) the container's init keeps the
    /// caller's stdout and stderr open, as with runc, so reading a pipe to its end would wait for
    /// the container to exit.
    /// </remarks>
    public static Result Exec(string file, IEnumerable<string> args, string? stdin = null)
    {
        var outFile = Path.GetTempFileName();
        var errFile = Path.GetTempFileName();
        try
        {
            var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = stdin is not null };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("out=$1 err=$2; shift 2; exec \"$@\" >\"$out\" 2>\"$err\"");
            psi.ArgumentList.Add("sh");
            psi.ArgumentList.Add(outFile);
            psi.ArgumentList.Add(errFile);
            psi.ArgumentList.Add(file);
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }
            using var p = System.Diagnostics.Process.Start(psi)!;
            if (stdin is not null)
            {
                p.StandardInput.Write(stdin);
                p.StandardInput.Close();
            }
            p.WaitForExit();
            return new Result(p.ExitCode, File.ReadAllText(outFile), File.ReadAllText(errFile));
        }
        finally
        {
            File.Delete(outFile);
            File.Delete(errFile);
        }
    }

    public static Result Psc_(Bundle b, params string[] args) => Exec(Psc, ["--root", b.PscRoot, .. args]);

    public static Result Runc(Bundle b, params string[] args) => Exec("/usr/sbin/runc", ["--root", b.RuncRoot, .. args]);
}
