using RecursiveMas.Cli;

return RmasApp.Run(args);
