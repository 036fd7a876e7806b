using System.Text.Json;

namespace PSContainer.ShimApi;

/// <summary>
/// The exit of a container's init process as the shim (or `psc-shim delete`) wrote it to
/// &lt;bundle&gt;/<see cref="FileName"/> before reporting it, so an engine that was down learns it on
/// restart. ExitCode 137 with Unknown true means the shim was gone and the code is not known.
/// </summary>
public sealed record ShimExitRecord(int Pid, int ExitCode, DateTimeOffset ExitedAt, bool OomKilled, bool Unknown = false)
{
    public const string FileName = "shim-exit.json";

    public static string PathIn(string bundle) => Path.Combine(bundle, FileName);

    /// <summary>The record in the bundle, or null when none was written (the process has not exited).</summary>
    public static ShimExitRecord? TryRead(string bundle)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(PathIn(bundle));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(bytes, ShimJsonContext.Default.ShimExitRecord);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"exit record {PathIn(bundle)} is not valid: {e.Message}", e);
        }
    }

    /// <summary>Writes the record atomically: a temporary file, fsync, rename over the old one.</summary>
    public void Write(string bundle)
    {
        var path = PathIn(bundle);
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(file, this, ShimJsonContext.Default.ShimExitRecord);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
