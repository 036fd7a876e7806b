// Entry point of psc-shim; see ARCHITECTURE.md for its place in the chain.
Console.Error.WriteLine("psc-shim: not built yet");
return 1;
