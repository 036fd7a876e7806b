namespace PSContainer.Engine.Daemon.Streams;

/// <summary>
/// Docker's detach key syntax: comma-separated keys, each one character (taken as is, "a", "@")
/// or "ctrl-" and one of a-z, @, [, \, ], ^, _ (case-insensitive; ctrl-@ is 0, ctrl-a 1 ... ctrl-_ 31,
/// the control codes a terminal sends). "ctrl-p,ctrl-q" is the default.
/// </summary>
public static class DetachKeys
{
    public const string DefaultSpec = "ctrl-p,ctrl-q";

    /// <summary>ctrl-p, ctrl-q.</summary>
    public static IReadOnlyList<byte> Default { get; } = [0x10, 0x11];

    /// <summary>The byte sequence of <paramref name="spec"/>; null or empty means the default.</summary>
    /// <exception cref="FormatException">A key that is neither one character nor ctrl-&lt;key&gt;, naming it.</exception>
    public static byte[] Parse(string? spec)
    {
        if (string.IsNullOrEmpty(spec))
        {
            return [.. Default];
        }
        var codes = new List<byte>();
        foreach (var key in spec.Split(','))
        {
            codes.Add(ParseKey(key));
        }
        return [.. codes];
    }

    private static byte ParseKey(string key)
    {
        if (key.Length == 1 && key[0] < 0x80)
        {
            return (byte)key[0];
        }
        if (key.Length == 6 && key.StartsWith("ctrl-", StringComparison.OrdinalIgnoreCase))
        {
            var c = char.ToLowerInvariant(key[5]);
            if (c is >= 'a' and <= 'z')
            {
                return (byte)(c - 'a' + 1);
            }
            var index = "@[\\]^_".IndexOf(c, StringComparison.Ordinal);
            if (index >= 0)
            {
                // @ is 0 and [ \ ] ^ _ follow z (26) as 27..31, as in ASCII's control block.
                return index == 0 ? (byte)0 : (byte)(26 + index);
            }
        }
        throw new FormatException($"unknown key '{key}' (a single character, or ctrl- and one of a-z, @, [, \\, ], ^, _)");
    }
}

/// <summary>
/// Watches a tty attach's input for the detach sequence. Bytes that might start the sequence are
/// held back until the next bytes decide; a mismatch hands them on in front of what follows, so
/// the process sees every byte the user typed that was not the sequence, in order. The sequence is
/// found wherever read boundaries fall (Docker's own proxy only matches a key that arrives alone
/// in a read; over a socket, where several keys can arrive in one read, this is more dependable).
/// </summary>
public sealed class DetachScanner(byte[] sequence)
{
    private readonly byte[] _sequence = sequence.Length > 0 ? sequence : throw new ArgumentException("the detach sequence is empty", nameof(sequence));

    /// <summary>Input held back: always a proper prefix of the sequence.</summary>
    private readonly List<byte> _held = [];

    /// <summary>
    /// Scans <paramref name="input"/>; the bytes to hand to the process go to <paramref name="forward"/>.
    /// True when the sequence completed: forward then holds what came before it, and whatever
    /// followed it in <paramref name="input"/> is dropped, since the attach ends there.
    /// </summary>
    public bool Scan(ReadOnlySpan<byte> input, List<byte> forward)
    {
        foreach (var b in input)
        {
            _held.Add(b);
            // Keep the longest tail of the held bytes that can still begin the sequence ("a,a,b"
            // typed as "a a a b" detaches); what comes before it was ordinary input.
            var start = 0;
            while (!IsSequenceStart(start))
            {
                start++;
            }
            forward.AddRange(_held.GetRange(0, start));
            _held.RemoveRange(0, start);
            if (_held.Count == _sequence.Length)
            {
                _held.Clear();
                return true;
            }
        }
        return false;
    }

    /// <summary>The input ended: bytes held as a possible start of the sequence are input after all.</summary>
    public void Flush(List<byte> forward)
    {
        forward.AddRange(_held);
        _held.Clear();
    }

    private bool IsSequenceStart(int from)
    {
        for (var i = from; i < _held.Count; i++)
        {
            if (_held[i] != _sequence[i - from])
            {
                return false;
            }
        }
        return true;
    }
}
