using System.Buffers.Binary;

namespace PSContainer.Runc.Cgroups.V2;

/// <summary>
/// One eBPF instruction (<c>struct bpf_insn</c>: u8 code, u8 dst:4|src:4, s16 off, s32 imm), the
/// subset the device filter needs. Opcode values are from linux/bpf.h and linux/bpf_common.h.
/// </summary>
public readonly record struct EbpfInstruction(byte Code, byte Dst, byte Src, short Offset, int Immediate)
{
    public const int Size = 8;

    public const byte LoadWord = 0x61;        // BPF_LDX | BPF_MEM | BPF_W: dst = *(u32 *)(src + off)
    public const byte And32Imm = 0x54;        // BPF_ALU | BPF_AND | BPF_K
    public const byte RightShift32Imm = 0x74; // BPF_ALU | BPF_RSH | BPF_K
    public const byte Move32Reg = 0xbc;       // BPF_ALU | BPF_MOV | BPF_X
    public const byte Move64Imm = 0xb7;       // BPF_ALU64 | BPF_MOV | BPF_K
    public const byte JumpNotEqual32Imm = 0x56; // BPF_JMP32 | BPF_JNE | BPF_K: 32-bit compare, no sign extension issues
    public const byte Exit = 0x95;            // BPF_JMP | BPF_EXIT

    public void WriteTo(Span<byte> destination)
    {
        destination[0] = Code;
        destination[1] = (byte)((Src << 4) | (Dst & 0x0f));
        BinaryPrimitives.WriteInt16LittleEndian(destination[2..], Offset);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], Immediate);
    }

    public static EbpfInstruction ReadFrom(ReadOnlySpan<byte> source) => new(
        source[0], (byte)(source[1] & 0x0f), (byte)(source[1] >> 4),
        BinaryPrimitives.ReadInt16LittleEndian(source[2..]), BinaryPrimitives.ReadInt32LittleEndian(source[4..]));

    public static byte[] ToBytes(IReadOnlyList<EbpfInstruction> program)
    {
        var bytes = new byte[program.Count * Size];
        for (var i = 0; i < program.Count; i++)
        {
            program[i].WriteTo(bytes.AsSpan(i * Size, Size));
        }
        return bytes;
    }
}
