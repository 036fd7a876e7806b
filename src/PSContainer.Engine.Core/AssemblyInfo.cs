using System.Runtime.Versioning;

// The core drives Linux kernel features (overlayfs, *at syscalls, xattrs): it runs on Linux only.
[assembly: SupportedOSPlatform("linux")]
