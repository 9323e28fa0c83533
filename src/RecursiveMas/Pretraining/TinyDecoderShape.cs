using RecursiveMas.Models;

namespace RecursiveMas.Pretraining;

/// <summary>
/// The architecture of a tiny decoder we pre-train ourselves: family, width, depth and heads. The
/// vocabulary size is an upper bound for the byte-level BPE trained with it; the model's embedding
/// table is sized to the tokenizer actually learned. Each family keeps its distinguishing features
/// (Qwen3 q/k norm and explicit head_dim, Qwen2 q/k/v biases, Llama/Mistral grouped KV heads).
/// </summary>
public sealed record TinyDecoderShape(ModelFamily Family, int HiddenSize, int Layers, int Heads, int KeyValueHeads, int HeadDim, int IntermediateSize, int VocabSize)
{
    /// <summary>Heads of 32 dimensions; GQA with half (Llama, Qwen3) or one (Qwen2, Mistral) KV head per group; MLP 2× wide.</summary>
    public static TinyDecoderShape For(ModelFamily family, int hiddenSize, int layers, int vocabSize)
    {
        if (hiddenSize < 32 || hiddenSize % 32 != 0)
            throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "the hidden size must be a positive multiple of 32 (heads of 32)");
        // What config.json's reader accepts (ModelConfig): a shape past it is a typo, and would allocate before any check.
        if (hiddenSize > 65_536)
            throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "the hidden size must be at most 65536");
        if (layers is < 1 or > 1024)
            throw new ArgumentOutOfRangeException(nameof(layers), layers, "the layer count must be between 1 and 1024");
        // The tokenizer's rule (ByteLevelBpeTrainer), checked with the shape so --vocab is named before the data is read.
        int least = ModelDirectoryBuilder.SpecialTokens(family).Count + 256;
        if (vocabSize < least)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, $"the vocabulary must hold at least {least}: 256 bytes and {least - 256} special tokens");
        // What config.json's reader accepts (ModelConfig's vocab_size bound): the trainer sizes its tables by it.
        if (vocabSize > 1 << 22)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, $"the vocabulary must be at most {1 << 22}");
        int heads = hiddenSize / 32;
        return family switch
        {
            // Qwen3 sets head_dim explicitly; here 4 heads of 32 whatever the width (96 → q is 128 wide).
            ModelFamily.Qwen3 => new(family, hiddenSize, layers, 4, 2, 32, hiddenSize * 2, vocabSize),
            ModelFamily.Llama => new(family, hiddenSize, layers, heads, Math.Max(1, heads / 2), 32, hiddenSize * 2, vocabSize),
            _ => new(family, hiddenSize, layers, heads, 1, 32, hiddenSize * 2, vocabSize),
        };
    }

    /// <summary>The config with <paramref name="vocabSize"/> entries (the trained tokenizer's size).</summary>
    public ModelConfig ToConfig(int vocabSize) => new()
    {
        Family = Family,
        HiddenSize = HiddenSize,
        IntermediateSize = IntermediateSize,
        LayerCount = Layers,
        HeadCount = Heads,
        KeyValueHeadCount = KeyValueHeads,
        HeadDim = HeadDim,
        VocabSize = vocabSize,
        RopeTheta = Family switch { ModelFamily.Llama => 500000, ModelFamily.Mistral => 10000, _ => 1000000 },
        MaxPositionEmbeddings = 1024,
        RmsNormEps = 1e-6,
        TieWordEmbeddings = true,
        QkvBias = Family == ModelFamily.Qwen2,
        QueryKeyNorm = Family == ModelFamily.Qwen3,
    };
}
