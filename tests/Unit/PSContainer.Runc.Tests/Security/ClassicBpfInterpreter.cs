using System.Buffers.Binary;
using PSContainer.Runc.Security.Seccomp;

namespace PSContainer.Runc.Tests.Security;

/// <summary>The input of a seccomp filter: struct seccomp_data (64 bytes).</summary>
internal sealed record SeccompData(int Nr, uint Arch, params ulong[] Args)
{
    public ulong InstructionPointer { get; init; } = 0x401000;

    public static SeccompData X86_64(int nr, params ulong[] args) => new(nr, SeccompArchitectures.AuditArchX86_64, args);

    public static SeccompData I386(int nr, params ulong[] args) => new(nr, SeccompArchitectures.AuditArchI386, args);

    public byte[] ToBytes()
    {
        var bytes = new byte[64];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, Nr);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), Arch);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), InstructionPointer);
        for (var i = 0; i < Args.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16 + (8 * i)), Args[i]);
        }
        return bytes;
    }
}

/// <summary>
/// A small classic BPF interpreter with the seccomp checker's rules (forward jumps inside the
/// program, 32-bit aligned loads inside seccomp_data, at most 4096 instructions, no falling off
/// the end), so tests can run compiled filters over synthetic syscalls without installing them.
/// </summary>
internal static class ClassicBpfInterpreter
{
    public static uint Run(IReadOnlyList<BpfInstruction> program, SeccompData data) => Run(program, data.ToBytes());

    public static uint Run(byte[] filter, SeccompData data) => Run(BpfInstruction.FromBytes(filter), data.ToBytes());

    public static uint Run(IReadOnlyList<BpfInstruction> program, byte[] input)
    {
        Validate(program);
        uint a = 0;
        var pc = 0;
        while (true)
        {
            var insn = program[pc];
            switch (insn.Code)
            {
                case BpfInstruction.LdWordAbs:
                    a = BinaryPrimitives.ReadUInt32LittleEndian(input.AsSpan((int)insn.K, 4));
                    pc++;
                    break;
                case BpfInstruction.AluAndK:
                    a &= insn.K;
                    pc++;
                    break;
                case BpfInstruction.Ja:
                    pc += 1 + (int)insn.K;
                    break;
                case BpfInstruction.JeqK:
                    pc += 1 + (a == insn.K ? insn.JumpTrue : insn.JumpFalse);
                    break;
                case BpfInstruction.JgtK:
                    pc += 1 + (a > insn.K ? insn.JumpTrue : insn.JumpFalse);
                    break;
                case BpfInstruction.JgeK:
                    pc += 1 + (a >= insn.K ? insn.JumpTrue : insn.JumpFalse);
                    break;
                case BpfInstruction.JsetK:
                    pc += 1 + ((a & insn.K) != 0 ? insn.JumpTrue : insn.JumpFalse);
                    break;
                case BpfInstruction.RetK:
                    return insn.K;
                default:
                    throw new InvalidOperationException($"instruction {pc}: opcode 0x{insn.Code:x2} not supported");
            }
        }
    }

    /// <summary>The static checks the kernel applies before accepting a seccomp filter.</summary>
    public static void Validate(IReadOnlyList<BpfInstruction> program)
    {
        if (program.Count is 0 or > BpfInstruction.MaxInstructions)
        {
            throw new InvalidOperationException($"program length {program.Count} outside 1..{BpfInstruction.MaxInstructions}");
        }
        for (var pc = 0; pc < program.Count; pc++)
        {
            var insn = program[pc];
            long Target(long offset) => pc + 1 + offset;
            switch (insn.Code)
            {
                case BpfInstruction.LdWordAbs when insn.K % 4 != 0 || insn.K > 60:
                    throw new InvalidOperationException($"instruction {pc}: load at {insn.K} outside seccomp_data");
                case BpfInstruction.Ja when Target(insn.K) >= program.Count:
                    throw new InvalidOperationException($"instruction {pc}: ja beyond the end");
                case BpfInstruction.JeqK or BpfInstruction.JgtK or BpfInstruction.JgeK or BpfInstruction.JsetK
                    when Target(insn.JumpTrue) >= program.Count || Target(insn.JumpFalse) >= program.Count:
                    throw new InvalidOperationException($"instruction {pc}: branch beyond the end");
            }
        }
        if (program[^1].Code != BpfInstruction.RetK)
        {
            throw new InvalidOperationException("the last instruction is not a return");
        }
    }
}
