using RecursiveMas.Cli;
using RecursiveMas.Training;

// `zoo --portable` writes the same bits on every AVX2 CPU only with libtorch's vector paths pinned, which it
// reads once, before its first use: here, before anything loads it.
if (args is ["zoo", ..] && args.Contains("--portable"))
    PortableCpuMath.Pin();

return RmasApp.Run(args);
