// Entry point of psc-runc; see ARCHITECTURE.md for its place in the chain.
Console.Error.WriteLine("psc-runc: not built yet");
return 1;
