using RecursiveMas.IO;
using RecursiveMas.Models;
using RecursiveMas.Models.Lora;
using RecursiveMas.Systems;
using RecursiveMas.Tasks;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Pretraining;

/// <summary>
/// Pre-trains one agent of a system from scratch into a Hugging Face model directory (config.json,
/// model.safetensors, tokenizer.json, tokenizer_config.json): a byte-level BPE learned from the agent's
/// role conversations, seeded random weights, full-parameter training, then the directory written in a
/// staging folder and swapped into place. And fine-tunes an existing directory the same way (full SFT), or
/// trains LoRA adapters on its frozen weights (the LoRA baseline), written as a PEFT adapter directory.
/// </summary>
public static class AgentPretraining
{
    /// <summary>Pre-trains <paramref name="agent"/> of <paramref name="systems"/> (the prompts of all of them) on <paramref name="data"/> into <paramref name="outputDirectory"/>.</summary>
    public static PretrainingReport Pretrain(IReadOnlyList<SystemDescription> systems, string agent, IReadOnlyList<TaskExample> data, TinyDecoderShape shape,
        string outputDirectory, PretrainingOptions options, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var family = shape.Family;
        var chat = ChatTemplate.Detect(null, shape.ToConfig(shape.VocabSize).ModelType);
        var (_, endOfTurn, _) = ModelDirectoryBuilder.RoleTokens(family);
        var conversations = RoleCorpus.Build(systems, agent, chat, endOfTurn, data, options.Seed, options.Messages);
        var tokenizer = ModelDirectoryBuilder.TrainTokenizer(family, conversations.Select(c => c.Prompt + c.Target), shape.VocabSize,
            options.DigitsApart ? PreTokenizerPatterns.DigitsApart : null);
        int vocab = tokenizer.Vocabulary.Values.Max() + 1;
        using var model = new CausalLM(ModelDirectoryBuilder.WithTokenIds(shape.ToConfig(vocab), tokenizer));
        model.InitializeRandom(options.Seed, std: 0.02);

        return Staged(outputDirectory, systems.Select(s => s.SourcePath), staging =>
        {
            ModelDirectoryBuilder.Write(staging, model, tokenizer);
            var loaded = ModelTokenizer.Load(staging);
            if (loaded.ChatTemplate.Kind != chat.Kind)
                throw new InvalidOperationException($"agent {agent}: the written tokenizer renders {loaded.ChatTemplate.Kind}, the corpus was rendered as {chat.Kind}");
            var report = CausalLmTrainer.Train(model, loaded, conversations, options, cancellationToken);
            ModelDirectoryBuilder.Write(staging, model, tokenizer);
            return report;
        });
    }

    /// <summary>
    /// Fine-tunes the model in <paramref name="modelDirectory"/> on <paramref name="conversations"/> and writes the
    /// result (same tokenizer files) to <paramref name="outputDirectory"/>. Conversations must be rendered in
    /// that model's chat format (see <see cref="SingleAgentConversations"/>).
    /// </summary>
    public static PretrainingReport FineTune(string modelDirectory, IReadOnlyList<RoleConversation> conversations, string outputDirectory,
        PretrainingOptions options, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var tokenizer = ModelTokenizer.Load(modelDirectory);
        using var model = CausalLM.FromPretrained(modelDirectory);
        return Staged(outputDirectory, [modelDirectory], staging =>
        {
            foreach (var file in Directory.GetFiles(modelDirectory))
                File.Copy(file, Path.Combine(staging, Path.GetFileName(file)));
            var report = CausalLmTrainer.Train(model, tokenizer, conversations, options, cancellationToken);
            model.SavePretrained(staging);
            return report;
        });
    }

    /// <summary>
    /// Trains LoRA adapters (<paramref name="lora"/>; A seeded by <see cref="PretrainingOptions.Seed"/>, B zero) on the
    /// frozen model in <paramref name="modelDirectory"/> with the same data, optimizer and schedule as
    /// <see cref="FineTune"/>, and writes a PEFT adapter directory (<c>adapter_config.json</c>,
    /// <c>adapter_model.safetensors</c>) to <paramref name="outputDirectory"/>; the model directory is not copied, its
    /// path is recorded as given (<c>base_model_name_or_path</c>, informational as in PEFT).
    /// </summary>
    public static PretrainingReport FineTuneLora(string modelDirectory, IReadOnlyList<RoleConversation> conversations, string outputDirectory,
        PretrainingOptions options, LoraConfig lora, CancellationToken cancellationToken = default)
    {
        options.Validate();
        lora.Validate();
        var tokenizer = ModelTokenizer.Load(modelDirectory);
        using var model = CausalLM.FromPretrained(modelDirectory);
        using var adapter = LoraAdapter.Create(model, lora, options.Seed);
        return Staged(outputDirectory, [modelDirectory], staging =>
        {
            var report = CausalLmTrainer.TrainAdapter(model, adapter, tokenizer, conversations, options, cancellationToken);
            adapter.Save(staging, baseModel: modelDirectory);
            return report;
        });
    }

    /// <summary>
    /// The SFT and LoRA baselines' data (PAPER §6.2): the system's single-agent prompt with each example's answer,
    /// in the chat format of the model in <paramref name="modelDirectory"/>.
    /// </summary>
    public static IReadOnlyList<RoleConversation> SingleAgentConversations(SystemDescription system, string modelDirectory, IReadOnlyList<TaskExample> data)
    {
        var tokenizer = ModelTokenizer.Load(modelDirectory);
        var decoder = system.Agent(SystemPlan.Build(system).Decoder);
        var prompt = new Latent.AgentPrompt(system.SingleAgentPrompt, tokenizer.ChatTemplate, decoder.SystemPrompt);
        string endOfTurn = tokenizer.EosToken ?? throw new ModelFileException(modelDirectory, "eos_token", "the tokenizer names no end-of-turn token");
        return [.. data.Select(e => new RoleConversation(prompt.RenderWithText(e.Question, _ => ""), e.Answer + endOfTurn))];
    }

    /// <summary>
    /// Builds the directory in a sibling staging folder and swaps it in whole (<see cref="SwappedFolder.Replace"/>), so
    /// neither a failed run nor one ended at once leaves a half-written or half-deleted model: the old folder or the
    /// complete new one, which the next load finishes moving into place (<see cref="ModelConfig.Load"/>). An existing
    /// folder is replaced only when it is a model or adapter folder (or empty): checked before any training, so a wrong
    /// <c>--out</c> costs nothing. A folder holding one of <paramref name="inputs"/> (the model read, the SYSTEM.json) is
    /// refused: replacing it would delete them. What runs that are gone left beside the output is removed first.
    /// </summary>
    static T Staged<T>(string outputDirectory, IEnumerable<string?> inputs, Func<string, T> build)
    {
        string full = Path.GetFullPath(outputDirectory);
        ReplacedFolder.CheckReplaceable(full, IsModelFolderFile, "a model or adapter folder", inputs);
        T result = default!;
        SwappedFolder.Replace(full, staging =>
        {
            Directory.CreateDirectory(staging);
            result = build(staging);
        });
        return result;
    }

    /// <summary>The files of a Hugging Face model or PEFT adapter folder: what pre-training, fine-tuning and LoRA write (and copy).</summary>
    static bool IsModelFolderFile(string name) =>
        name.EndsWith(".safetensors", StringComparison.Ordinal) || name.EndsWith(".json", StringComparison.Ordinal)
        || name is "merges.txt" or "vocab.txt" || name.EndsWith(".model", StringComparison.Ordinal)
        || name.EndsWith(".tiktoken", StringComparison.Ordinal) || name is "README.md" or ".gitattributes";
}
