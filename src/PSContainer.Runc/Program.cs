// Entry point of psc-runc (see ARCHITECTURE.md, "psc-runc"): everything happens in Cli/RuncMain.
return PSContainer.Runc.Cli.RuncMain.Run(args, Console.Out);
