using System.Collections.Concurrent;
using RecursiveMas.Models;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Tests.Support;

/// <summary>
/// Complete Hugging Face model directories for tests through <see cref="ModelDirectoryBuilder"/>:
/// random weights (norms perturbed, see <see cref="TinyModels.Create"/>) and a byte-level tokenizer
/// trained on a small fixed corpus with the family's chat special tokens.
/// </summary>
public static class TinyCheckpoints
{
    public static readonly string[] Corpus =
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

    /// <summary>Writes a model directory; the config's vocabulary must leave room for the tokenizer (≥ 280).</summary>
    public static CausalLM Write(string directory, ModelConfig config, long seed = 1234, double std = 0.2)
    {
        if (config.VocabSize < 280)
            throw new ArgumentException("a byte-level tokenizer needs a vocabulary of at least 280", nameof(config));
        var tokenizer = Tokenizers.GetOrAdd((config.Family, config.VocabSize),
            key => ModelDirectoryBuilder.TrainTokenizer(key.Item1, Corpus, key.Item2));
        var model = TinyModels.Create(ModelDirectoryBuilder.WithTokenIds(config, tokenizer), seed, std);
        ModelDirectoryBuilder.Write(directory, model, tokenizer);
        return model;
    }

    /// <summary>A tiny config of the family with a vocabulary big enough for a byte-level tokenizer.</summary>
    public static ModelConfig Config(string family, int hidden) => family switch
    {
        "llama" => TinyModels.Llama(hidden, vocab: 320),
        "mistral" => TinyModels.Mistral(hidden, vocab: 320, window: null),
        "qwen2" => TinyModels.Qwen2(hidden, vocab: 320),
        "qwen3" => TinyModels.Qwen3(hidden, vocab: 320),
        "gemma3" => TinyModels.Gemma3(hidden, vocab: 320),
        "qwen3_5" => TinyModels.Qwen35(hidden, vocab: 320),
        _ => throw new ArgumentException(family),
    };
}
