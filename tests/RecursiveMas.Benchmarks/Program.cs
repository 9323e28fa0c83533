using BenchmarkDotNet.Running;
using RecursiveMas.Benchmarks.Models;

// Probes that are not BenchmarkDotNet benchmarks are selected by their first argument;
// everything else goes to BenchmarkDotNet's switcher (e.g. --filter '*Throughput*').
if (args.Length > 0 && args[0].StartsWith("load-memory", StringComparison.Ordinal))
    return LoadMemoryProbe.Run(args);

BenchmarkSwitcher.FromAssembly(typeof(LoadMemoryProbe).Assembly).Run(args);
return 0;
