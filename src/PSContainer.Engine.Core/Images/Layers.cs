using System.Text;
using PSContainer.Oci;

namespace PSContainer.Engine.Core.Images;

/// <summary>Layer identity arithmetic shared by unpacking, GC and archives.</summary>
public static class Layers
{
    /// <summary>
    /// Chain ids (image-spec config.md "Layer ChainID"): ChainID(L0) = DiffID(L0);
    /// ChainID(L0..n) = sha256(ChainID(L0..n-1) + " " + DiffID(Ln)). A chain id names a layer
    /// together with everything below it, which is what a snapshot of that layer holds.
    /// </summary>
    public static IReadOnlyList<Digest> ChainIds(IReadOnlyList<Digest> diffIds)
    {
        var result = new List<Digest>(diffIds.Count);
        foreach (var diffId in diffIds)
        {
            result.Add(result.Count == 0
                ? diffId
                : Digest.FromBytes(Encoding.ASCII.GetBytes($"{result[^1]} {diffId}")));
        }
        return result;
    }
}
