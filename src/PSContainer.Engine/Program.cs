// Entry point of psc-engine; see ARCHITECTURE.md for its place in the chain.
Console.Error.WriteLine("psc-engine: not built yet");
return 1;
