using RecursiveMas.Models;

namespace RecursiveMas.Benchmarks;

/// <summary>Random-weight models of realistic shape for benchmarks (no downloads).</summary>
public static class BenchmarkModels
{
    /// <summary>
    /// About 110M parameters, shaped like a small Qwen3/Llama: d=768, 12 layers, 12 heads (4 KV),
    /// SwiGLU 2048, 32k vocabulary, tied embeddings.
    /// </summary>
    public static ModelConfig Small100M(ModelFamily family = ModelFamily.Qwen3) => new()
    {
        Family = family,
        HiddenSize = 768,
        IntermediateSize = 2048,
        LayerCount = 12,
        HeadCount = 12,
        KeyValueHeadCount = 4,
        HeadDim = 64,
        VocabSize = 32000,
        TieWordEmbeddings = true,
        QueryKeyNorm = family == ModelFamily.Qwen3,
        QkvBias = family == ModelFamily.Qwen2,
        RopeTheta = 1_000_000,
    };

    public static CausalLM Create(ModelConfig config, long seed = 7)
    {
        var model = new CausalLM(config);
        model.InitializeRandom(seed);
        return model;
    }
}
