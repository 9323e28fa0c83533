using BenchmarkDotNet.Attributes;
using RecursiveMas.Models;
using RecursiveMas.Systems;

namespace RecursiveMas.Benchmarks.Generated;

/// <summary>
/// Orchestration overhead: the generated, unrolled <c>Solve</c> against <see cref="RecursiveRunner"/>
/// on the same loaded system (tiny random models, 3 rounds, m = 4, 4 decoded tokens), so the models'
/// work is equal and the difference is the code around it.
/// Run: <c>dotnet run -c Release --project tests/RecursiveMas.Benchmarks -- --filter '*GeneratedSolve*'</c>.
/// </summary>
[MemoryDiagnoser]
public class GeneratedSolveBenchmarks
{
    static readonly string[] Corpus =
    [
        "You are a planner agent. Give a plan for the question. Question: What is 12 plus 30?",
        "You are a refiner agent. You are a solver agent. Put the final answer inside \\boxed{42}.",
    ];

    string _root = "";
    BenchTeam _team = null!;
    RunOptions _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "rmas-generated-bench-" + Environment.ProcessId);
        long seed = 11;
        foreach (var (folder, family, hidden) in new[] { ("planner", ModelFamily.Llama, 64), ("critic", ModelFamily.Qwen3, 96), ("solver", ModelFamily.Qwen2, 128) })
        {
            var config = new ModelConfig
            {
                Family = family,
                HiddenSize = hidden,
                IntermediateSize = hidden * 3,
                LayerCount = 2,
                HeadCount = hidden / 32,
                KeyValueHeadCount = hidden / 32,
                HeadDim = 32,
                VocabSize = 320,
                TieWordEmbeddings = true,
                QkvBias = family == ModelFamily.Qwen2,
                QueryKeyNorm = family == ModelFamily.Qwen3,
            };
            ModelDirectoryBuilder.CreateRandom(Path.Combine(_root, folder), config, Corpus, seed++).Dispose();
        }
        _team = BenchTeam.Load(_root, Path.Combine(_root, "links"), options: new SystemLoadOptions { AllowUntrainedLinks = true });
        _options = new RunOptions { Decoding = new DecodingDescription { MaxNewTokens = 4, RetryWithoutBoxedAnswer = false } };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _team.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public RunResult RuntimeRunner() => RecursiveRunner.Solve(_team.Runtime, "What is 12 plus 30?", _options);

    [Benchmark]
    public RunResult GeneratedSolve() => _team.Solve("What is 12 plus 30?", _options);
}
