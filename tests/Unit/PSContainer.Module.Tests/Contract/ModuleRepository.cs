using System.Runtime.CompilerServices;
using PSContainer.TestSupport;

namespace PSContainer.Module.Tests.Contract;

/// <summary>
/// The checkout the module's files are read from: TestEnvironment.RepoRoot (the global.json above
/// the test binaries) when it holds the manifest, or, when the binaries were built outside the checkout (dotnet test
/// --artifacts-path /tmp/...), the checkout this source file was compiled from.
/// </summary>
public static class ModuleRepository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        try
        {
            if (File.Exists(Path.Combine(TestEnvironment.RepoRoot, "PSContainer.psd1")))
            {
                return TestEnvironment.RepoRoot;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TypeInitializationException)
        {
            // Built outside the checkout: fall back to where this file was compiled from.
        }
        for (var dir = Path.GetDirectoryName(SourceFile()); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "global.json")) && File.Exists(Path.Combine(dir, "PSContainer.psd1")))
            {
                return dir;
            }
        }
        throw new InvalidOperationException("Cannot find the checkout holding PSContainer.psd1 (neither above the test binaries nor above this source file).");
    }

    private static string SourceFile([CallerFilePath] string path = "") => path;
}
