using System.Text.Json.Nodes;
using RecursiveMas.IO;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Models;

/// <summary>
/// Writes a complete Hugging Face model directory for a model we create ourselves (no pretrained
/// weights can be downloaded here): <c>config.json</c>, <c>model.safetensors</c>, a byte-level BPE
/// <c>tokenizer.json</c> trained on a corpus with the special tokens of the family's chat format, and
/// <c>tokenizer_config.json</c> naming BOS/EOS/PAD as the family's real checkpoints do. Tests,
/// benchmarks and the embedded agent zoo use it; the result loads like any downloaded model.
/// </summary>
public static class ModelDirectoryBuilder
{
    /// <summary>Special tokens of the family's chat format (ids 0..k−1 of the trained vocabulary).</summary>
    public static IReadOnlyList<string> SpecialTokens(ModelFamily family) => family switch
    {
        ModelFamily.Qwen2 => ["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        ModelFamily.Qwen3 or ModelFamily.Qwen35 => ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"],
        ModelFamily.Gemma3 => ["<pad>", "<eos>", "<bos>", "<start_of_turn>", "<end_of_turn>"],
        ModelFamily.Llama => ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"],
        ModelFamily.Mistral => ["<unk>", "<s>", "</s>", "[INST]", "[/INST]"],
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    /// <summary>BOS, EOS and PAD token strings as in the family's tokenizer_config.json (Qwen has no BOS).</summary>
    public static (string? Bos, string Eos, string Pad) RoleTokens(ModelFamily family) => family switch
    {
        ModelFamily.Qwen2 or ModelFamily.Qwen3 or ModelFamily.Qwen35 => (null, "<|im_end|>", "<|endoftext|>"),
        ModelFamily.Gemma3 => ("<bos>", "<end_of_turn>", "<pad>"),
        ModelFamily.Llama => ("<|begin_of_text|>", "<|eot_id|>", "<|end_of_text|>"),
        _ => ("<s>", "</s>", "<unk>"),
    };

    /// <summary>
    /// Trains the family's tokenizer on <paramref name="corpus"/> with at most <paramref name="vocabSize"/> entries,
    /// pre-tokenized by <paramref name="splitPattern"/> (null = GPT-2's pattern).
    /// </summary>
    public static TrainedByteLevelBpe TrainTokenizer(ModelFamily family, IEnumerable<string> corpus, int vocabSize, string? splitPattern = null) =>
        ByteLevelBpeTrainer.Train(corpus, vocabSize, [.. SpecialTokens(family)], splitPattern);

    /// <summary>
    /// Writes the directory for <paramref name="model"/> with <paramref name="tokenizer"/> (trained by
    /// <see cref="TrainTokenizer"/> for the same family; the model's vocabulary must cover it). The
    /// config's BOS/EOS/PAD ids are set from the tokenizer.
    /// </summary>
    public static void Write(string directory, CausalLM model, TrainedByteLevelBpe tokenizer)
    {
        var config = WithTokenIds(model.Config, tokenizer);
        int tokenizerSize = tokenizer.Vocabulary.Values.Max() + 1;
        if (tokenizerSize > config.VocabSize)
            throw new ArgumentException($"the tokenizer has {tokenizerSize} ids but the model's vocabulary has {config.VocabSize}", nameof(tokenizer));
        Directory.CreateDirectory(directory);
        tokenizer.WriteTokenizerJson(Path.Combine(directory, "tokenizer.json"));
        var (bos, eos, pad) = RoleTokens(config.Family);
        var tokenizerConfig = new JsonObject
        {
            ["bos_token"] = bos,
            ["eos_token"] = eos,
            ["pad_token"] = pad,
            ["add_bos_token"] = config.Family is ModelFamily.Mistral or ModelFamily.Gemma3,
            ["model_max_length"] = config.MaxPositionEmbeddings,
        };
        AtomicFile.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), tokenizerConfig.ToJsonString());
        model.SavePretrained(directory);
        (config with { StoredDType = model.Config.StoredDType ?? "float32" }).Save(directory);
    }

    /// <summary>The config with BOS/EOS/PAD ids taken from the trained tokenizer.</summary>
    public static ModelConfig WithTokenIds(ModelConfig config, TrainedByteLevelBpe tokenizer)
    {
        int Id(string token) => tokenizer.AddedTokens.Single(t => t.Content == token).Id;
        var (bos, eos, pad) = RoleTokens(config.Family);
        return config with { BosTokenId = bos is null ? null : Id(bos), EosTokenIds = [Id(eos)], PadTokenId = Id(pad) };
    }

    /// <summary>A random-weight model (seeded, std as transformers' init) with its tokenizer, written to <paramref name="directory"/>.</summary>
    public static CausalLM CreateRandom(string directory, ModelConfig config, IEnumerable<string> tokenizerCorpus, long seed, double std = 0.02)
    {
        var tokenizer = TrainTokenizer(config.Family, tokenizerCorpus, config.VocabSize);
        var model = new CausalLM(WithTokenIds(config, tokenizer));
        model.InitializeRandom(seed, std);
        Write(directory, model, tokenizer);
        return model;
    }
    /// <summary>
    /// A tiny decoder of <paramref name="family"/> (Llama, Qwen2 or Qwen3) in its checkpoints' layout:
    /// heads of 32 dims, an MLP 3 × d wide, untied embeddings for Llama, q/k/v biases for Qwen2, q/k
    /// norms for Qwen3. For examples, benchmarks and tests that need agents of different families and
    /// hidden sizes without downloading weights (see <see cref="CreateRandomAgents"/>).
    /// </summary>
    /// <param name="hiddenSize">d, a positive multiple of 32.</param>
    /// <param name="groupedQuery">Half as many key/value heads as query heads (not for Qwen2, whose tiny layout keeps them equal).</param>
    public static ModelConfig TinyConfig(ModelFamily family, int hiddenSize, int layers = 2, int vocabSize = 320, bool groupedQuery = false)
    {
        if (family is not (ModelFamily.Llama or ModelFamily.Qwen2 or ModelFamily.Qwen3))
            throw new ArgumentException($"tiny configs are made for Llama, Qwen2 and Qwen3, not {family}", nameof(family));
        if (hiddenSize <= 0 || hiddenSize % TinyHeadDim != 0)
            throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, $"a tiny model's hidden size is a positive multiple of {TinyHeadDim}");
        int heads = hiddenSize / TinyHeadDim;
        return new ModelConfig
        {
            Family = family,
            HiddenSize = hiddenSize,
            IntermediateSize = hiddenSize * 3,
            LayerCount = layers,
            HeadCount = heads,
            KeyValueHeadCount = groupedQuery && family != ModelFamily.Qwen2 ? Math.Max(1, heads / 2) : heads,
            HeadDim = TinyHeadDim,
            VocabSize = vocabSize,
            TieWordEmbeddings = family != ModelFamily.Llama,
            QkvBias = family == ModelFamily.Qwen2,
            QueryKeyNorm = family == ModelFamily.Qwen3,
        };
    }

    const int TinyHeadDim = 32;

    /// <summary>
    /// Random-weight agents (<see cref="CreateRandom"/>), each in <c>root/Folder</c>, seeded
    /// <paramref name="firstSeed"/>, <paramref name="firstSeed"/> + 1, … in order, each with a tokenizer
    /// learned from <paramref name="tokenizerCorpus"/>.
    /// </summary>
    public static void CreateRandomAgents(string root, IEnumerable<(string Folder, ModelConfig Config)> agents, IEnumerable<string> tokenizerCorpus, long firstSeed)
    {
        var corpus = tokenizerCorpus as IReadOnlyCollection<string> ?? [.. tokenizerCorpus];
        long seed = firstSeed;
        foreach (var (folder, config) in agents)
            CreateRandom(Path.Combine(root, folder), config, corpus, seed++).Dispose();
    }
}
