using RecursiveMas.Cli;
using RecursiveMas.Training;

// The zoo's weights are the same on every AVX2 CPU only with libtorch's vector paths pinned, which it reads
// once, before its first use: here, before anything loads it.
if (args is ["zoo", ..])
    PortableCpuMath.Pin();

return RmasApp.Run(args);
