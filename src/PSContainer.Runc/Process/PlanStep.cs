using System.Text;

namespace PSContainer.Runc.Process;

/// <summary>
/// One operation of a plan: the op code, up to four numbers and four strings (or binary blobs),
/// and a human description used in error messages ("mount proc on /run/x/rootfs/proc").
/// </summary>
public sealed class PlanStep
{
    public PlanStep(PlanOp op, string description, long[]? numbers = null, params byte[][] strings)
    {
        if (strings.Length > 4)
        {
            throw new ArgumentException("a step carries at most four strings", nameof(strings));
        }
        Op = op;
        Description = description;
        Numbers = new long[4];
        numbers?.CopyTo(Numbers, 0);
        Strings = strings;
    }

    public PlanOp Op { get; }
    public string Description { get; }
    public long[] Numbers { get; }
    public IReadOnlyList<byte[]> Strings { get; }

    /// <summary>The errno for which <see cref="Hint"/> explains the failure (0: none).</summary>
    public int HintErrno { get; init; }

    /// <summary>Why this step fails with <see cref="HintErrno"/>, appended to the error ("the file system ... does not support idmapped mounts").</summary>
    public string? Hint { get; init; }

    /// <summary>The string argument <paramref name="index"/> as text ("" when absent).</summary>
    public string Text(int index) => index < Strings.Count ? Encoding.UTF8.GetString(Strings[index]) : "";

    public static byte[] Utf8(string? s) => s is null ? [] : Encoding.UTF8.GetBytes(s);

    /// <summary>NUL-separated strings, each terminated by NUL (argv and envp for Exec).</summary>
    public static byte[] Vector(IEnumerable<string> items)
    {
        var buffer = new List<byte>();
        foreach (var item in items)
        {
            buffer.AddRange(Encoding.UTF8.GetBytes(item));
            buffer.Add(0);
        }
        return [.. buffer];
    }

    public override string ToString() => $"{Op} {Description}";
}
