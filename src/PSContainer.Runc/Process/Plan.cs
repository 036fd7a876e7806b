using System.Buffers.Binary;

namespace PSContainer.Runc.Process;

/// <summary>
/// An ordered list of <see cref="PlanStep"/>s for psc-nsexec, and its wire form (Native/README.md):
/// "PSCPLAN1", u32 count, u32 0, then per step u32 op, u32 nstr, 4 × i64, nstr × (u32 len, bytes, NUL).
/// Little-endian, as psc-nsexec reads it on the same machine.
/// </summary>
public sealed class Plan
{
    private readonly List<PlanStep> _steps = [];

    public IReadOnlyList<PlanStep> Steps => _steps;

    public Plan Add(PlanStep step)
    {
        _steps.Add(step);
        return this;
    }

    public Plan Add(PlanOp op, string description, long[]? numbers = null, params byte[][] strings) =>
        Add(new PlanStep(op, description, numbers, strings));

    /// <summary>"step 12 mount proc on /run/x/rootfs/proc" for an index a failure report named.</summary>
    public string Describe(int index) =>
        index >= 0 && index < _steps.Count ? $"step {index} {_steps[index].Description}" : $"step {index}";

    public byte[] Serialize()
    {
        var size = 16;
        foreach (var step in _steps)
        {
            size += 40;
            foreach (var s in step.Strings)
            {
                size += 4 + s.Length + 1;
            }
        }
        var buffer = new byte[size];
        "PSCPLAN1"u8.CopyTo(buffer);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(8), (uint)_steps.Count);
        var offset = 16;
        foreach (var step in _steps)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(offset), (uint)step.Op);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(offset + 4), (uint)step.Strings.Count);
            for (var i = 0; i < 4; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(offset + 8 + (8 * i)), step.Numbers[i]);
            }
            offset += 40;
            foreach (var s in step.Strings)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(offset), (uint)s.Length);
                s.CopyTo(buffer, offset + 4);
                offset += 4 + s.Length + 1; // the NUL is already there: the buffer starts zeroed
            }
        }
        return buffer;
    }
}
