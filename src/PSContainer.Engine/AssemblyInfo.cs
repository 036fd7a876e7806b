// psc-engine runs on Linux only (namespaces, overlayfs, Unix sockets); saying so once here keeps
// the platform analyzer quiet about every Unix-only call.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
