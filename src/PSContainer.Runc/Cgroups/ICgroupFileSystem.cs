namespace PSContainer.Runc.Cgroups;

/// <summary>
/// The file operations the cgroup managers make. The real one talks to cgroupfs; unit tests wrap
/// it to record every write and to emulate kernfs details (rmdir of a directory that still holds
/// control files) over a fixture tree in a temp directory.
/// </summary>
public interface ICgroupFileSystem
{
    /// <summary>The whole content of a control file.</summary>
    string ReadFile(string path);

    /// <summary>
    /// Writes <paramref name="value"/> in one write(2). Failures throw a
    /// <see cref="PSContainer.Interop.Linux.SyscallException"/> reading
    /// "write VALUE to PATH: ERRNO (message)".
    /// </summary>
    void WriteFile(string path, string value);

    bool FileExists(string path);

    bool DirectoryExists(string path);

    /// <summary>mkdir(2) with mode 0755; an existing directory is not an error.</summary>
    void CreateDirectory(string path);

    /// <summary>rmdir(2); the errno (EBUSY while tasks remain) reaches the caller.</summary>
    void RemoveDirectory(string path);

    /// <summary>The child directories (child cgroups) of <paramref name="path"/>.</summary>
    IReadOnlyList<string> ListDirectories(string path);
}
