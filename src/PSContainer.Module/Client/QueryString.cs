using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PSContainer.Module.Client;

/// <summary>Builds a request path with an escaped query string; null values are left out.</summary>
public sealed class QueryString
{
    private readonly string _path;
    private readonly List<KeyValuePair<string, string>> _items = [];

    public QueryString(string path) => _path = path;

    public QueryString Add(string name, string? value)
    {
        if (value is not null)
        {
            _items.Add(new(name, value));
        }
        return this;
    }

    public QueryString Add(string name, bool value) => Add(name, value ? "1" : "0");

    public QueryString AddIfTrue(string name, bool value) => value ? Add(name, "1") : this;

    public QueryString Add(string name, long? value) =>
        Add(name, value?.ToString(CultureInfo.InvariantCulture));

    /// <summary>Docker's filters parameter: a JSON object of name → list of values; empty lists are left out.</summary>
    public QueryString AddFilters(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters)
    {
        if (filters is null || filters.All(f => f.Value.Count == 0))
        {
            return this;
        }
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, values) in filters.Where(f => f.Value.Count > 0).OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                writer.WriteStartArray(name);
                foreach (var value in values)
                {
                    writer.WriteStringValue(value);
                }
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        return Add("filters", Encoding.UTF8.GetString(buffer.ToArray()));
    }

    public override string ToString()
    {
        if (_items.Count == 0)
        {
            return _path;
        }
        var text = new StringBuilder(_path).Append('?');
        for (var i = 0; i < _items.Count; i++)
        {
            if (i > 0)
            {
                text.Append('&');
            }
            text.Append(Uri.EscapeDataString(_items[i].Key)).Append('=').Append(Uri.EscapeDataString(_items[i].Value));
        }
        return text.ToString();
    }
}
