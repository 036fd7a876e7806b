using System.Globalization;
using System.Text;
using PSContainer.Interop.Linux;
using PSContainer.Runc.Process;

namespace PSContainer.Runc.Cli;

/// <summary>`ps` in table form: ps(1)'s output, keeping the header and the container's processes.</summary>
public static unsafe class PsTable
{
    public static string Run(IReadOnlyList<string> args)
    {
        var fds = stackalloc int[2];
        Libc.Check(Libc.pipe2(fds, Libc.O_CLOEXEC), "pipe2", "ps");
        int pid;
        try
        {
            pid = Spawner.Spawn("/bin/ps", ["ps", .. args], ["PATH=/usr/bin:/bin", "LC_ALL=C"], [new(fds[1], 1)]);
        }
        finally
        {
            Libc.close(fds[1]);
        }
        var output = new MemoryStream();
        var buffer = stackalloc byte[4096];
        nint n;
        while ((n = Libc.read(fds[0], buffer, 4096)) > 0)
        {
            output.Write(new ReadOnlySpan<byte>(buffer, (int)n));
        }
        Libc.close(fds[0]);
        var status = ContainerRuntime.WaitChild(pid);
        return status == 0 ? Encoding.UTF8.GetString(output.ToArray()) : throw new RuncException($"ps {string.Join(' ', args)}: exit status {status}");
    }

    /// <summary>Keeps the header and the lines whose PID column is one of <paramref name="pids"/>.</summary>
    public static string Filter(string psOutput, IReadOnlyList<int> pids)
    {
        var lines = psOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
        {
            return "";
        }
        var header = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var column = Array.IndexOf(header, "PID");
        if (column < 0)
        {
            throw new RuncException("ps output has no PID column");
        }
        var keep = pids.ToHashSet();
        var sb = new StringBuilder(lines[0]).Append('\n');
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > column && int.TryParse(fields[column], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && keep.Contains(p))
            {
                sb.Append(line).Append('\n');
            }
        }
        return sb.ToString();
    }
}
