using RecursiveMas.Models;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Decoding;

/// <summary>
/// Text in, text out: applies the model's chat template (or encodes raw text), left-pads a batch
/// of prompts, decodes with <see cref="TokenGenerator"/>, and detokenizes. Stops at the tokenizer's
/// end-of-turn tokens (falling back to config.json's eos ids) and at stop strings.
/// </summary>
public sealed class TextGenerator(CausalLM model, ModelTokenizer tokenizer)
{
    /// <summary>The model.</summary>
    public CausalLM Model { get; } = model;

    /// <summary>The tokenizer, whose ids the model's embedding matrix holds.</summary>
    public ModelTokenizer Tokenizer { get; } = Fitting(tokenizer, model);

    static ModelTokenizer Fitting(ModelTokenizer tokenizer, CausalLM model)
    {
        tokenizer.CheckFits(model.Config.VocabSize);
        return tokenizer;
    }

    /// <summary>Ids that end generation.</summary>
    public IReadOnlySet<int> StopTokenIds { get; } =
        tokenizer.StopTokenIds.Count > 0 ? tokenizer.StopTokenIds : model.Config.EosTokenIds.ToHashSet();

    /// <summary>How a prompt is turned into ids.</summary>
    public sealed record PromptFormat
    {
        /// <summary>Wrap the prompt as a user turn in the chat template and add the generation prompt.</summary>
        public bool ApplyChatTemplate { get; init; } = true;

        /// <summary>A system message; null keeps the template's default (if any).</summary>
        public string? SystemPrompt { get; init; }

        /// <summary>Qwen3 thinking mode; false renders the empty think block (enable_thinking=False).</summary>
        public bool EnableThinking { get; init; } = true;
    }

    /// <summary>The ids the model reads for <paramref name="prompt"/>.</summary>
    public IReadOnlyList<int> EncodePrompt(string prompt, PromptFormat format)
    {
        if (!format.ApplyChatTemplate)
            return Tokenizer.Encode(prompt, addBos: Tokenizer.AddBosToken);
        var messages = new List<ChatMessage>();
        if (format.SystemPrompt is not null)
            messages.Add(ChatMessage.FromSystem(format.SystemPrompt));
        messages.Add(ChatMessage.FromUser(prompt));
        // The rendered template already contains BOS text where the family wants one.
        return Tokenizer.Encode(Tokenizer.ChatTemplate.Render(messages, addGenerationPrompt: true, format.EnableThinking));
    }

    /// <summary>Generates a continuation for each prompt (one left-padded batch).</summary>
    public IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<string> prompts, SamplingOptions options, PromptFormat? format = null)
    {
        format ??= new PromptFormat();
        var encoded = prompts.Select(p => EncodePrompt(p, format)).ToList();
        foreach (var (ids, i) in encoded.Select((ids, i) => (ids, i)))
        {
            if (ids.Count == 0)
                throw new ArgumentException($"prompt {i + 1} encodes to no tokens", nameof(prompts));
            // Positions past max_position_embeddings are ones the model never saw (its rotary tables end there).
            if ((long)ids.Count + options.MaxNewTokens > Model.Config.MaxPositionEmbeddings)
                throw new ArgumentException($"prompt {i + 1} is {ids.Count} tokens and may be followed by {options.MaxNewTokens} more, over the model's " +
                    $"max_position_embeddings of {Model.Config.MaxPositionEmbeddings}", nameof(prompts));
        }
        using var batch = LeftPaddedBatch.FromIds(encoded, Tokenizer.PadTokenId ?? 0, Model.Device);
        var generator = new TokenGenerator(Model);
        return generator.Generate(
            new ForwardInput { InputIds = batch.Values, AttentionMask = batch.Mask },
            options,
            StopTokenIds,
            ids => Tokenizer.Decode(ids));
    }
}
