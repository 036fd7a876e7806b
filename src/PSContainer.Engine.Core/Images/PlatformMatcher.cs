using PSContainer.Oci;

namespace PSContainer.Engine.Core.Images;

/// <summary>
/// Chooses the manifest for this machine from an index or manifest list: linux on the host's
/// architecture, preferring the most capable variant the CPU runs (amd64 v1..v4, arm64 v8).
/// </summary>
public static class PlatformMatcher
{
    public static string HostArchitecture => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>The platform this engine runs images for.</summary>
    public static Platform Host => new() { OS = "linux", Architecture = HostArchitecture };

    /// <summary>The best manifest for <paramref name="wanted"/> (the host when null), or null when none fits.</summary>
    public static Descriptor? Select(IEnumerable<Descriptor> manifests, Platform? wanted = null)
    {
        wanted ??= Host;
        var variants = SupportedVariants(wanted);
        Descriptor? best = null;
        var bestRank = int.MinValue;
        foreach (var manifest in manifests)
        {
            if (!MediaTypes.IsManifest(manifest.MediaType) && !MediaTypes.IsIndex(manifest.MediaType))
            {
                continue;
            }
            var platform = manifest.Platform;
            int rank;
            if (platform is null)
            {
                rank = 0; // no platform given: usable, but anything explicit wins
            }
            else if (platform.OS != wanted.OS || platform.Architecture != wanted.Architecture)
            {
                continue;
            }
            else if (string.IsNullOrEmpty(platform.Variant))
            {
                rank = 1;
            }
            else
            {
                var index = variants.IndexOf(platform.Variant);
                if (index < 0)
                {
                    continue;
                }
                rank = 2 + index;
            }
            if (rank > bestRank)
            {
                best = manifest;
                bestRank = rank;
            }
        }
        return best;
    }

    /// <summary>Variants in increasing preference; a requested variant narrows the list to itself.</summary>
    private static List<string> SupportedVariants(Platform wanted)
    {
        if (!string.IsNullOrEmpty(wanted.Variant))
        {
            return [wanted.Variant];
        }
        return wanted.Architecture switch
        {
            "amd64" => Amd64Variants(),
            "arm64" => ["v8"],
            "arm" => ["v5", "v6", "v7"],
            _ => [],
        };
    }

    private static List<string> Amd64Variants()
    {
        var list = new List<string> { "v1" };
        if (!System.Runtime.Intrinsics.X86.Sse42.IsSupported || !System.Runtime.Intrinsics.X86.Popcnt.IsSupported)
        {
            return list;
        }
        list.Add("v2");
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported || !System.Runtime.Intrinsics.X86.Bmi2.IsSupported)
        {
            return list;
        }
        list.Add("v3");
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported && System.Runtime.Intrinsics.X86.Avx512BW.IsSupported)
        {
            list.Add("v4");
        }
        return list;
    }
}
