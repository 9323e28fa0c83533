using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using RecursiveMas.Benchmarks.Models;

// Probes that are not BenchmarkDotNet benchmarks are selected by their first argument;
// everything else goes to BenchmarkDotNet's switcher (e.g. --filter '*Throughput*').
if (args.Length > 0 && args[0].StartsWith("load-memory", StringComparison.Ordinal))
    return LoadMemoryProbe.Run(args);
if (args.Length > 0 && args[0] == "openmp-threads")
    return OpenMpThreadsProbe.Run();

// In-process: BenchmarkDotNet's generated per-job projects live outside our build, so they would
// not get the TorchSharp native-library fix (build/TorchSharpNative.targets); running in this
// process uses the already-fixed output. AsDefault applies it to jobs chosen on the command line.
var config = DefaultConfig.Instance.AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).AsDefault());
BenchmarkSwitcher.FromAssembly(typeof(LoadMemoryProbe).Assembly).Run(args, config);
return 0;
