namespace PSContainer.Module.Cmdlets;

/// <summary>Writes a streamed response to a file through a temporary name, so a failed download leaves no half file.</summary>
internal static class StreamFiles
{
    public static async Task SaveAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        var temporary = path + ".partial-" + Environment.ProcessId;
        try
        {
            await using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await body.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
