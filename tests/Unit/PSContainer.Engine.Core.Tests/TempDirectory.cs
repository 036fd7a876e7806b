using PSContainer.Engine.Core.Diff;

namespace PSContainer.Engine.Core.Tests;

/// <summary>A private directory for one test, deleted (without following symlinks) at the end.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "psc-core-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose() => FileTree.DeleteRecursive(Path);
}
