using System.Globalization;
using System.Text;

namespace PSContainer.Module.Tests.Contract;

/// <summary>
/// Reads the data language of a module manifest (.psd1) without PowerShell: hashtables @{ k = v },
/// arrays @( ... ) and comma lists, single- and double-quoted strings, numbers, $true/$false/$null,
/// and # and &lt;# #&gt; comments. Enough for a manifest; anything else is a parse error with its offset.
/// </summary>
public sealed class Psd1Reader
{
    private readonly string _text;
    private int _position;

    private Psd1Reader(string text) => _text = text;

    public static Dictionary<string, object?> ReadFile(string path) =>
        new Psd1Reader(File.ReadAllText(path)).ReadDocument();

    public static Dictionary<string, object?> Parse(string text) => new Psd1Reader(text).ReadDocument();

    private Dictionary<string, object?> ReadDocument()
    {
        SkipTrivia();
        var table = ReadValue() as Dictionary<string, object?> ?? throw Error("the manifest must be one hashtable");
        SkipTrivia();
        return _position == _text.Length ? table : throw Error("text after the hashtable");
    }

    private object? ReadValue()
    {
        SkipTrivia();
        var first = ReadSingle();
        SkipTrivia(stopAtNewline: true);
        if (Peek() != ',')
        {
            return first;
        }
        var list = new List<object?> { first };
        while (Peek() == ',')
        {
            _position++;
            SkipTrivia();
            list.Add(ReadSingle());
            SkipTrivia(stopAtNewline: true);
        }
        return list.ToArray();
    }

    private object? ReadSingle()
    {
        var c = Peek();
        if (c == '@' && PeekAt(1) == '{')
        {
            _position += 2;
            return ReadHashtable();
        }
        if (c == '@' && PeekAt(1) == '(')
        {
            _position += 2;
            return ReadArray();
        }
        if (c == '\'')
        {
            return ReadSingleQuoted();
        }
        if (c == '"')
        {
            return ReadDoubleQuoted();
        }
        if (c == '$')
        {
            var word = ReadWord();
            return word.ToLowerInvariant() switch
            {
                "$true" => true,
                "$false" => false,
                "$null" => null,
                _ => throw Error($"variable {word} is not allowed in a manifest"),
            };
        }
        if (char.IsAsciiDigit(c) || c == '-')
        {
            var word = ReadWord();
            return double.Parse(word, CultureInfo.InvariantCulture);
        }
        throw Error($"unexpected '{c}'");
    }

    private Dictionary<string, object?> ReadHashtable()
    {
        var table = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            SkipTrivia();
            if (Peek() == '}')
            {
                _position++;
                return table;
            }
            if (Peek() == ';')
            {
                _position++;
                continue;
            }
            var key = Peek() is '\'' ? ReadSingleQuoted() : Peek() is '"' ? ReadDoubleQuoted() : ReadWord();
            SkipTrivia();
            Expect('=');
            if (!table.TryAdd(key, ReadValue()))
            {
                throw Error($"key '{key}' appears twice");
            }
        }
    }

    private object?[] ReadArray()
    {
        var items = new List<object?>();
        while (true)
        {
            SkipTrivia();
            if (Peek() == ')')
            {
                _position++;
                return items.ToArray();
            }
            if (Peek() is ',' or ';')
            {
                _position++;
                continue;
            }
            items.Add(ReadSingle());
        }
    }

    private string ReadSingleQuoted()
    {
        Expect('\'');
        var text = new StringBuilder();
        while (true)
        {
            var c = Next();
            if (c == '\'')
            {
                if (Peek() == '\'')
                {
                    _position++;
                    text.Append('\'');
                    continue;
                }
                return text.ToString();
            }
            text.Append(c);
        }
    }

    private string ReadDoubleQuoted()
    {
        Expect('"');
        var text = new StringBuilder();
        while (true)
        {
            var c = Next();
            if (c == '"')
            {
                return text.ToString();
            }
            if (c == '$')
            {
                throw Error("expandable strings are not allowed in a manifest");
            }
            text.Append(c == '`' ? Next() : c);
        }
    }

    private string ReadWord()
    {
        var start = _position;
        while (_position < _text.Length && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] is '_' or '$' or '.' or '-'))
        {
            _position++;
        }
        return _position > start ? _text[start.._position] : throw Error("expected a name or a number");
    }

    private void SkipTrivia(bool stopAtNewline = false)
    {
        while (_position < _text.Length)
        {
            var c = _text[_position];
            if (c == '\n' && stopAtNewline)
            {
                return;
            }
            if (char.IsWhiteSpace(c))
            {
                _position++;
            }
            else if (c == '#')
            {
                while (_position < _text.Length && _text[_position] != '\n')
                {
                    _position++;
                }
            }
            else if (c == '<' && PeekAt(1) == '#')
            {
                var end = _text.IndexOf("#>", _position + 2, StringComparison.Ordinal);
                _position = end < 0 ? throw Error("unterminated block comment") : end + 2;
            }
            else
            {
                return;
            }
        }
    }

    private char Peek() => _position < _text.Length ? _text[_position] : '\0';

    private char PeekAt(int offset) => _position + offset < _text.Length ? _text[_position + offset] : '\0';

    private char Next() => _position < _text.Length ? _text[_position++] : throw Error("unexpected end of file");

    private void Expect(char c)
    {
        if (Next() != c)
        {
            throw Error($"expected '{c}'");
        }
    }

    private FormatException Error(string what) => new($"psd1 at offset {_position}: {what}");
}
