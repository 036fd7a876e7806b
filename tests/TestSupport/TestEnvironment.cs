using System.Runtime.InteropServices;

namespace PSContainer.TestSupport;

/// <summary>Where the build outputs and the test images are, and what this machine allows.</summary>
public static partial class TestEnvironment
{
    public static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The checkout root: the nearest directory above the test assembly holding global.json.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

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
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "global.json")))
            {
                return dir;
            }
        }
        throw new InvalidOperationException($"no global.json above {AppContext.BaseDirectory}");
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
