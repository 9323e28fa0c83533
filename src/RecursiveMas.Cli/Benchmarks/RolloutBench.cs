using RecursiveMas.Latent;
using RecursiveMas.Links;
using RecursiveMas.Models;
using static TorchSharp.torch;

namespace RecursiveMas.Cli.Benchmarks;

/// <summary>
/// KV-cached latent rollout vs the official re-run-everything rollout on a ~110M-parameter
/// random-weight model (Qwen3-shaped: d=768, 12 layers), prompt of 64 tokens, m = 16, 32, 64.
/// </summary>
static class RolloutBench
{
    public sealed record Row(int LatentSteps, double CachedMs, double ReferenceMs, double Speedup);

    public static ModelConfig Model(bool quick) => new()
    {
        Family = ModelFamily.Qwen3,
        HiddenSize = quick ? 128 : 768,
        IntermediateSize = quick ? 256 : 2048,
        LayerCount = quick ? 2 : 12,
        HeadCount = quick ? 4 : 12,
        KeyValueHeadCount = quick ? 2 : 4,
        HeadDim = quick ? 32 : 64,
        VocabSize = quick ? 512 : 32000,
        TieWordEmbeddings = true,
        QueryKeyNorm = true,
        RopeTheta = 1_000_000,
    };

    public static IReadOnlyList<Row> Run(bool quick, Action<string> log)
    {
        var config = Model(quick);
        using var model = new CausalLM(config);
        model.InitializeRandom(7);
        using var seeded = new Generator(7);
        using var inner = new InnerLink("bench", config.HiddenSize, generator: seeded);
        inner.SetTrainable(false);
        using var noGrad = no_grad();
        var prompt = model.Embed(randint(5, config.VocabSize, [1, 64])).DetachFromDisposeScope();
        log($"model: {config.ParameterCount:N0} parameters (d={config.HiddenSize}, {config.LayerCount} layers), prompt 64 tokens, threads {get_num_threads()}");

        int[] steps = quick ? [4, 8] : [16, 32, 64];
        var rows = new List<Row>();
        foreach (int m in steps)
        {
            double cached = BenchTiming.MedianMilliseconds(() =>
            {
                using var scope = NewDisposeScope();
                LatentRollout.Run(model, inner, prompt, null, m, RolloutMode.Cached);
            }, repetitions: 3);
            double reference = BenchTiming.MedianMilliseconds(() =>
            {
                using var scope = NewDisposeScope();
                LatentRollout.Run(model, inner, prompt, null, m, RolloutMode.Reference);
            }, repetitions: 1);
            rows.Add(new Row(m, cached, reference, reference / cached));
            log($"m={m}: cached {cached:F0} ms, reference {reference:F0} ms, speedup {reference / cached:F1}x");
        }
        return rows;
    }
}
