using System.Globalization;

namespace PSContainer.Module.Core;

/// <summary>Parses -Restart: no, always, unless-stopped, on-failure or on-failure:N.</summary>
public static class RestartPolicyParser
{
    public static Api.RestartPolicy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim().ToLowerInvariant();
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? value : value[..colon];
        var retries = 0;
        if (colon >= 0)
        {
            if (name != "on-failure")
            {
                throw new ArgumentException($"Restart policy '{text}' is not valid: only on-failure takes a retry count (on-failure:3).");
            }
            if (!int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out retries) || retries < 1)
            {
                throw new ArgumentException($"Restart policy '{text}' is not valid: the retry count must be a whole number of at least 1.");
            }
        }
        return name switch
        {
            "no" or "always" or "unless-stopped" or "on-failure" => new Api.RestartPolicy { Name = name, MaximumRetryCount = retries },
            _ => throw new ArgumentException($"Restart policy '{text}' is not valid: use no, always, unless-stopped, on-failure or on-failure:N."),
        };
    }
}
