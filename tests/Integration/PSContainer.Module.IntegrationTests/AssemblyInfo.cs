// The module and the engine are Linux-only; so are these tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// One engine per test class, and classes one after another: they start daemons and containers.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
