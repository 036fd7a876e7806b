namespace PSContainer.Module.Core;

/// <summary>-Cpu 1.5 → NanoCpus 1 500 000 000, as docker --cpus does.</summary>
public static class CpuParser
{
    public static long ToNanoCpus(double cpus)
    {
        if (double.IsNaN(cpus) || cpus <= 0 || cpus > 1024)
        {
            throw new ArgumentException($"-Cpu {cpus} is not valid: give the number of CPUs, more than 0 (for example 0.5 or 2).");
        }
        return (long)Math.Round(cpus * 1e9);
    }
}
