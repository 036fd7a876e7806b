// The module under test is Linux-only (Unix sockets, the engine); so are its tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
