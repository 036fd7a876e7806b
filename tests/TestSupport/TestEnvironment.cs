using System.Runtime.InteropServices;

namespace PSContainer.TestSupport;

/// <summary>Where the build outputs and the test images are, and what this machine allows.</summary>
public static partial class TestEnvironment
{
    public static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The checkout root: the nearest directory above the test assembly holding global.json.</summary>
    /// <remarks>Lazy, and falling back to the working directory, because test assemblies built with
    /// --artifacts-path live outside the checkout.</remarks>
    public static string RepoRoot => LazyRepoRoot.Value;

    private static readonly Lazy<string> LazyRepoRoot = new(FindRepoRoot);

    /// <summary>out/bin: psc-runc, psc-shim, psc-engine, psc-nsexec (built by ./build.sh).</summary>
    public static string BinDir =>
        Environment.GetEnvironmentVariable("PSC_BIN") ?? Path.Combine(RepoRoot, "out", "bin");

    /// <summary>
    /// The images made by ../shared/images/make-test-images.sh, cached outside the checkout
    /// (scripts/test-images.sh makes them; PSC_TEST_IMAGES overrides the place).
    /// </summary>
    public static string ImagesDir =>
        Environment.GetEnvironmentVariable("PSC_TEST_IMAGES") ?? "/var/cache/pscontainer/test-images";

    public static string Image(string name) => Path.Combine(ImagesDir, name);

    /// <summary>Null when root, otherwise why root-only tests cannot run.</summary>
    public static string? WhyNotRoot() =>
        geteuid() == 0 ? null : "needs root (namespaces, mounts and cgroups); run the suite with sudo";

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = start; dir is not null; dir = Path.GetDirectoryName(dir))
            {
                if (File.Exists(Path.Combine(dir, "global.json")) && Directory.Exists(Path.Combine(dir, "src")))
                {
                    return dir;
                }
            }
        }
        throw new InvalidOperationException(
            $"no checkout (global.json and src/) above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}");
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
