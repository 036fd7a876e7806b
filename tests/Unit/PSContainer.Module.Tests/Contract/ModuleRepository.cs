using System.Runtime.CompilerServices;
using PSContainer.TestSupport;

namespace PSContainer.Module.Tests.Contract;

/// <summary>
/// The checkout the module's files are read from: TestEnvironment.RepoRoot (the global.json above
/// the test binaries), or, when the binaries were built outside the checkout (dotnet test
/// --artifacts-path /tmp/...), the checkout this source file was compiled from.
/// </summary>
public static class ModuleRepository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        try
        {
            return TestEnvironment.RepoRoot;
        }
        catch (Exception e) when (e is InvalidOperationException or TypeInitializationException)
        {
            for (var dir = Path.GetDirectoryName(SourceFile()); dir is not null; dir = Path.GetDirectoryName(dir))
            {
                if (File.Exists(Path.Combine(dir, "global.json")) && File.Exists(Path.Combine(dir, "PSContainer.psd1")))
                {
                    return dir;
                }
            }
            throw;
        }
    }

    private static string SourceFile([CallerFilePath] string path = "") => path;
}
