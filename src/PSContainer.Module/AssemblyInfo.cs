// The PSContainer module: Client/ (engine client, no PowerShell types), Core/ (parameter mapping,
// output objects), Cmdlets/ (thin PowerShell surface). See ARCHITECTURE.md.
[assembly: System.CLSCompliant(false)]

// The engine, its sockets and the credential file's permissions are Linux things.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
