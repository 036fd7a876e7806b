// The PSContainer module: Client/ (engine client, no PowerShell types), Core/ (parameter mapping,
// output objects), Cmdlets/ (thin PowerShell surface). See ARCHITECTURE.md.
[assembly: System.CLSCompliant(false)]
