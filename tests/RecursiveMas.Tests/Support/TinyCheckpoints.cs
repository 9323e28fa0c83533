using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using RecursiveMas.Models;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Tests.Support;

/// <summary>
/// Complete Hugging Face model directories for tests: config.json, random-weight model.safetensors,
/// and a byte-level BPE tokenizer.json trained on a small fixed corpus with the special tokens of
/// the family's chat format, plus tokenizer_config.json naming BOS/EOS/PAD as the real models do.
/// </summary>
public static class TinyCheckpoints
{
    static readonly string[] Corpus =
    [
        "You are a helpful assistant. Solve the question step by step.",
        "Question: What is 12 plus 30? Answer: 42. The final answer is \\boxed{42}.",
        "Step 1: read the question. Step 2: plan. Step 3: compute the answer.",
        "The planner writes a plan, the critic refines it, the solver answers.",
        "Feedback signal from the previous round: refine the plan and check the arithmetic.",
        "Numbers 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 and more.",
        "Paris is the capital of France. Berlin is the capital of Germany.",
    ];

    static readonly ConcurrentDictionary<(ModelFamily, int), TrainedByteLevelBpe> Tokenizers = new();

    /// <summary>Special tokens of the family's chat format; the first is BOS/EOS/PAD-like as in the real vocabularies.</summary>
    public static string[] SpecialTokens(ModelFamily family) => family switch
    {
        ModelFamily.Qwen2 => ["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        ModelFamily.Qwen3 => ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"],
        ModelFamily.Llama => ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"],
        ModelFamily.Mistral => ["<unk>", "<s>", "</s>", "[INST]", "[/INST]"],
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    /// <summary>
    /// Writes a model directory. The config's vocabulary must leave room for the tokenizer
    /// (≥ 300 entries: 256 bytes, the specials and some merges).
    /// </summary>
    public static CausalLM Write(string directory, ModelConfig config, long seed = 1234, double std = 0.2)
    {
        if (config.VocabSize < 280)
            throw new ArgumentException("a byte-level tokenizer needs a vocabulary of at least 280", nameof(config));
        var specials = SpecialTokens(config.Family);
        var trained = Tokenizers.GetOrAdd((config.Family, config.VocabSize),
            key => ByteLevelBpeTrainer.Train(Corpus, key.Item2, SpecialTokens(key.Item1)));
        Directory.CreateDirectory(directory);
        trained.WriteTokenizerJson(Path.Combine(directory, "tokenizer.json"));

        int Id(string token) => trained.AddedTokens.Single(t => t.Content == token).Id;
        var (bos, eos, pad) = config.Family switch
        {
            ModelFamily.Qwen2 or ModelFamily.Qwen3 => ((string?)null, "<|im_end|>", "<|endoftext|>"),
            ModelFamily.Llama => ("<|begin_of_text|>", "<|eot_id|>", "<|end_of_text|>"),
            _ => ("<s>", "</s>", "<unk>"),
        };
        var tokenizerConfig = new JsonObject
        {
            ["bos_token"] = bos,
            ["eos_token"] = eos,
            ["pad_token"] = pad,
            ["add_bos_token"] = config.Family == ModelFamily.Mistral,
            ["model_max_length"] = 4096,
        };
        File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), tokenizerConfig.ToJsonString());

        var withIds = config with
        {
            BosTokenId = bos is null ? null : Id(bos),
            EosTokenIds = [Id(eos)],
            PadTokenId = Id(pad),
        };
        var model = TinyModels.Create(withIds, seed, std);
        model.SavePretrained(directory);
        return model;
    }

    /// <summary>A tiny config of the family with a vocabulary big enough for a byte-level tokenizer.</summary>
    public static ModelConfig Config(string family, int hidden) => family switch
    {
        "llama" => TinyModels.Llama(hidden, vocab: 320),
        "mistral" => TinyModels.Mistral(hidden, vocab: 320, window: null),
        "qwen2" => TinyModels.Qwen2(hidden, vocab: 320),
        "qwen3" => TinyModels.Qwen3(hidden, vocab: 320),
        _ => throw new ArgumentException(family),
    };
}
