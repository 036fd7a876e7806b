using System.Buffers.Binary;

namespace PSContainer.Runc.Security.Seccomp;

/// <summary>
/// One classic BPF instruction, laid out like the kernel's <c>struct sock_filter</c>
/// (u16 code, u8 jt, u8 jf, u32 k; 8 bytes, native little-endian).
/// </summary>
public readonly record struct BpfInstruction(ushort Code, byte JumpTrue, byte JumpFalse, uint K)
{
    public const int Size = 8;

    // Opcode pieces from linux/bpf_common.h and linux/filter.h.
    public const ushort LdWordAbs = 0x00 | 0x00 | 0x20;   // BPF_LD | BPF_W | BPF_ABS
    public const ushort AluAndK = 0x04 | 0x50 | 0x00;     // BPF_ALU | BPF_AND | BPF_K
    public const ushort Ja = 0x05 | 0x00;                 // BPF_JMP | BPF_JA
    public const ushort JeqK = 0x05 | 0x10 | 0x00;        // BPF_JMP | BPF_JEQ | BPF_K
    public const ushort JgtK = 0x05 | 0x20 | 0x00;        // BPF_JMP | BPF_JGT | BPF_K
    public const ushort JgeK = 0x05 | 0x30 | 0x00;        // BPF_JMP | BPF_JGE | BPF_K
    public const ushort JsetK = 0x05 | 0x40 | 0x00;       // BPF_JMP | BPF_JSET | BPF_K
    public const ushort RetK = 0x06 | 0x00;               // BPF_RET | BPF_K

    /// <summary>The kernel's limit on a classic BPF program (BPF_MAXINSNS).</summary>
    public const int MaxInstructions = 4096;

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, Code);
        destination[2] = JumpTrue;
        destination[3] = JumpFalse;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], K);
    }

    public static BpfInstruction ReadFrom(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt16LittleEndian(source),
        source[2],
        source[3],
        BinaryPrimitives.ReadUInt32LittleEndian(source[4..]));

    /// <summary>Serialises a program to the bytes a <c>struct sock_fprog</c> points at.</summary>
    public static byte[] ToBytes(IReadOnlyList<BpfInstruction> program)
    {
        var bytes = new byte[program.Count * Size];
        for (var i = 0; i < program.Count; i++)
        {
            program[i].WriteTo(bytes.AsSpan(i * Size, Size));
        }
        return bytes;
    }

    /// <summary>Parses <c>struct sock_filter</c> bytes back into instructions.</summary>
    public static BpfInstruction[] FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % Size != 0)
        {
            throw new ArgumentException($"a classic BPF program is a multiple of {Size} bytes, got {bytes.Length}", nameof(bytes));
        }
        var program = new BpfInstruction[bytes.Length / Size];
        for (var i = 0; i < program.Length; i++)
        {
            program[i] = ReadFrom(bytes.Slice(i * Size, Size));
        }
        return program;
    }

    public override string ToString() => $"{{ 0x{Code:x2}, {JumpTrue}, {JumpFalse}, 0x{K:x8} }}";
}
