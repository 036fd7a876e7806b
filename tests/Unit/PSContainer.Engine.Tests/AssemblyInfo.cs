// The engine runs on Linux only; its tests too.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
