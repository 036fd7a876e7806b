using System.Text.Json;
using PSContainer.Engine.Errors;
using PSContainer.Oci;

namespace PSContainer.Engine.Daemon.Spec;

/// <summary>
/// HostConfig.SecurityOpt: "no-new-privileges[:true|false]", "seccomp=unconfined" or
/// "seccomp=&lt;profile JSON&gt;" (the docker CLI reads a profile file and sends its content),
/// "apparmor=..." and "label=..." (accepted and ignored: no LSM is in use here).
/// </summary>
public sealed record SecurityOptions(bool NoNewPrivileges, bool SeccompUnconfined, LinuxSeccomp? SeccompProfile)
{
    public static SecurityOptions Parse(IEnumerable<string>? options)
    {
        var noNewPrivileges = false;
        var unconfined = false;
        LinuxSeccomp? profile = null;
        foreach (var option in options ?? [])
        {
            var sep = option.IndexOfAny(['=', ':']);
            var key = sep < 0 ? option : option[..sep];
            var value = sep < 0 ? null : option[(sep + 1)..];
            switch (key)
            {
                case "no-new-privileges":
                    noNewPrivileges = value is null || value == "true" ? true
                        : value == "false" ? false
                        : throw EngineException.InvalidParameter($"invalid --security-opt: \"{option}\"");
                    break;
                case "seccomp" when value == "unconfined":
                    unconfined = true;
                    break;
                case "seccomp" when !string.IsNullOrEmpty(value):
                    try
                    {
                        profile = JsonSerializer.Deserialize(value, OciJsonContext.Default.LinuxSeccomp)
                            ?? throw EngineException.InvalidParameter("empty seccomp profile");
                    }
                    catch (JsonException e)
                    {
                        throw EngineException.InvalidParameter($"decoding seccomp profile failed: {e.Message}", e);
                    }
                    break;
                case "apparmor" or "label" or "systempaths":
                    break;
                default:
                    throw EngineException.InvalidParameter($"invalid --security-opt: \"{option}\"");
            }
        }
        return new SecurityOptions(noNewPrivileges, unconfined, profile);
    }
}
