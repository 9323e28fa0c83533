using RecursiveMas.Models;

namespace RecursiveMas.Tests.Support;

/// <summary>Small configurations, one per family, that exercise each family's special features.</summary>
public static class TinyModels
{
    /// <summary>Llama with GQA (4 heads, 2 KV heads), llama3 rope scaling, attention and MLP biases, untied head.</summary>
    public static ModelConfig Llama(int hidden = 32, int vocab = 97) => new()
    {
        Family = ModelFamily.Llama,
        HiddenSize = hidden,
        IntermediateSize = hidden * 2,
        LayerCount = 2,
        HeadCount = 4,
        KeyValueHeadCount = 2,
        HeadDim = hidden / 4,
        VocabSize = vocab,
        RopeTheta = 500000,
        RopeScaling = new RopeScaling(RopeScalingKind.Llama3, Factor: 8, LowFrequencyFactor: 1, HighFrequencyFactor: 4, OriginalMaxPositions: 16),
        QkvBias = true,
        OutputProjectionBias = true,
        MlpBias = true,
        RmsNormEps = 1e-5,
        EosTokenIds = [2],
        BosTokenId = 1,
    };

    /// <summary>Mistral with a sliding window short enough to bind in tests.</summary>
    public static ModelConfig Mistral(int hidden = 32, int vocab = 97, int? window = 6) => new()
    {
        Family = ModelFamily.Mistral,
        HiddenSize = hidden,
        IntermediateSize = hidden * 3,
        LayerCount = 2,
        HeadCount = 4,
        KeyValueHeadCount = 1,
        HeadDim = hidden / 4,
        VocabSize = vocab,
        SlidingWindow = window,
        EosTokenIds = [2],
    };

    /// <summary>Qwen2 with q/k/v biases, tied embeddings, no GQA.</summary>
    public static ModelConfig Qwen2(int hidden = 48, int vocab = 101) => new()
    {
        Family = ModelFamily.Qwen2,
        HiddenSize = hidden,
        IntermediateSize = hidden * 2,
        LayerCount = 2,
        HeadCount = 4,
        KeyValueHeadCount = 4,
        HeadDim = hidden / 4,
        VocabSize = vocab,
        RopeTheta = 1000000,
        TieWordEmbeddings = true,
        QkvBias = true,
        EosTokenIds = [3, 4],
    };

    /// <summary>Qwen3 with q/k norm and an explicit head_dim different from hidden/heads.</summary>
    public static ModelConfig Qwen3(int hidden = 40, int vocab = 89) => new()
    {
        Family = ModelFamily.Qwen3,
        HiddenSize = hidden,
        IntermediateSize = hidden * 2,
        LayerCount = 3,
        HeadCount = 4,
        KeyValueHeadCount = 2,
        HeadDim = 16,
        VocabSize = vocab,
        RopeTheta = 1000000,
        QueryKeyNorm = true,
        TieWordEmbeddings = true,
        EosTokenIds = [2],
    };

    /// <summary>
    /// Gemma3 with sliding (window 4, own rope base) and global layers (linear rope scaling), head_dim
    /// different from hidden/heads, query_pre_attn_scalar different from head_dim, GQA, final-logit soft-capping.
    /// </summary>
    public static ModelConfig Gemma3(int hidden = 32, int vocab = 97, int window = 4, double? attentionSoftcap = null) => new()
    {
        Family = ModelFamily.Gemma3,
        HiddenSize = hidden,
        IntermediateSize = hidden * 2,
        LayerCount = 3,
        HeadCount = 4,
        KeyValueHeadCount = 2,
        HeadDim = 16,
        VocabSize = vocab,
        RopeTheta = 1_000_000,
        RopeScaling = new RopeScaling(RopeScalingKind.Linear, Factor: 8),
        SlidingRopeTheta = 10_000,
        SlidingWindow = window,
        LayerTypes = [LayerKind.SlidingAttention, LayerKind.FullAttention, LayerKind.SlidingAttention],
        HiddenActivation = HiddenActivation.GeluTanh,
        ZeroCenteredNorms = true,
        SandwichNorms = true,
        ScaleEmbeddings = true,
        QueryKeyNorm = true,
        QueryPreAttentionScalar = 20,
        AttentionLogitSoftcap = attentionSoftcap,
        FinalLogitSoftcap = 5,
        TieWordEmbeddings = true,
        EosTokenIds = [1],
        BosTokenId = 2,
    };

    /// <summary>
    /// Qwen3.5: three Gated DeltaNet layers (2 key heads serving 4 value heads, key and value head sizes
    /// different) and one gated full-attention layer with partial rotary (a quarter of head_dim), untied head.
    /// </summary>
    public static ModelConfig Qwen35(int hidden = 32, int vocab = 97, bool multimodal = false) => new()
    {
        Family = ModelFamily.Qwen35,
        HiddenSize = hidden,
        IntermediateSize = hidden * 2,
        LayerCount = 4,
        HeadCount = 4,
        KeyValueHeadCount = 2,
        HeadDim = 16,
        VocabSize = vocab,
        RopeTheta = 10_000_000,
        PartialRotaryFactor = 0.25,
        LayerTypes = [LayerKind.LinearAttention, LayerKind.LinearAttention, LayerKind.LinearAttention, LayerKind.FullAttention],
        LinearAttention = new LinearAttentionShape(ConvKernel: 4, KeyHeads: 2, ValueHeads: 4, KeyHeadDim: 8, ValueHeadDim: 6),
        ZeroCenteredNorms = true,
        QueryKeyNorm = true,
        AttentionOutputGate = true,
        Multimodal = multimodal,
        EosTokenIds = [2],
    };

    public static IEnumerable<object[]> AllFamilies() =>
    [
        ["llama"], ["mistral"], ["qwen2"], ["qwen3"], ["gemma3"], ["qwen3_5"],
    ];

    public static ModelConfig ByName(string family) => family switch
    {
        "llama" => Llama(),
        "mistral" => Mistral(),
        "qwen2" => Qwen2(),
        "qwen3" => Qwen3(),
        "gemma3" => Gemma3(),
        "qwen3_5" => Qwen35(),
        _ => throw new ArgumentException(family),
    };

    /// <summary>A model with seeded random weights; norms perturbed so a forgotten norm weight shows.</summary>
    /// <remarks>
    /// std 0.2 (ten times transformers' 0.02) makes every weight matter in comparisons; with it the
    /// latent feedback loop is chaotic enough that float32 rounding differences grow over tens of
    /// steps, so long-rollout comparisons use float64 or the realistic 0.02.
    /// </remarks>
    public static CausalLM Create(ModelConfig config, long seed = 1234, double std = 0.2, TorchSharp.torch.ScalarType dtype = TorchSharp.torch.ScalarType.Float32)
    {
        var model = new CausalLM(config, dtype);
        model.InitializeRandom(seed, std);
        using var noGrad = TorchSharp.torch.no_grad();
        var generator = new TorchSharp.torch.Generator((ulong)seed + 1);
        foreach (var (name, p) in model.named_parameters())
            if (name.EndsWith("norm.weight", StringComparison.Ordinal))
                p.add_(TorchSharp.torch.randn(p.shape, generator: generator).to(p.dtype) * 0.1);
        return model;
    }
}
