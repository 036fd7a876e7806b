namespace PSContainer.Module.Core;

/// <summary>Docker's rule for container names: [a-zA-Z0-9][a-zA-Z0-9_.-]*, checked before the request is sent.</summary>
public static class NameRules
{
    public static void CheckContainerName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var bare = name.StartsWith('/') ? name[1..] : name;
        if (bare.Length == 0 || !char.IsAsciiLetterOrDigit(bare[0]) || !bare.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
        {
            throw new ArgumentException($"Container name '{name}' is not valid: use letters, digits, '_', '.' and '-', starting with a letter or digit.");
        }
    }
}
