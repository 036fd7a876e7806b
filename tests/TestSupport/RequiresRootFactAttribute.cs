using Xunit;

namespace PSContainer.TestSupport;

/// <summary>
/// A fact that needs root (namespaces, mounts, cgroups). Outside CI it skips with a reason when
/// the process is not root; under CI (CI=true) it never skips, so a CI that lost its privileges
/// fails loudly instead of going green with nothing tested.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresRootFactAttribute : FactAttribute
{
    public RequiresRootFactAttribute()
    {
        var reason = TestEnvironment.WhyNotRoot();
        if (reason is not null && !TestEnvironment.IsCi)
        {
            Skip = reason;
        }
    }
}

/// <summary>The theory counterpart of <see cref="RequiresRootFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresRootTheoryAttribute : TheoryAttribute
{
    public RequiresRootTheoryAttribute()
    {
        var reason = TestEnvironment.WhyNotRoot();
        if (reason is not null && !TestEnvironment.IsCi)
        {
            Skip = reason;
        }
    }
}
