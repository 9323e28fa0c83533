using RecursiveMas.Decoding;
using RecursiveMas.Evaluation;
using RecursiveMas.Latent;
using RecursiveMas.Links;
using RecursiveMas.Models;
using RecursiveMas.Tokenization;
using RecursiveMas.Tools;
using static TorchSharp.torch;

namespace RecursiveMas.Systems;

/// <summary>
/// One agent of a loaded system: its frozen model and tokenizer, its inner link, and its prompts per
/// stage. It can think (a latent rollout over its assembled prompt) or decode text; the system
/// runner and generated code call these two operations.
/// </summary>
public sealed class SystemAgent
{
    internal SystemAgent(AgentDescription description, CausalLM model, ModelTokenizer tokenizer, InnerLink innerLink)
    {
        Description = description;
        Model = model;
        Tokenizer = tokenizer;
        InnerLink = innerLink;
        Assembler = new PromptAssembler(model, tokenizer);
        AgentPrompt? Of(PromptUse use) => description.Prompts.FirstOrDefault(p => p.Use == use) is { } p
            ? new AgentPrompt(p.Template, tokenizer.ChatTemplate, description.SystemPrompt)
            : null;
        var always = Of(PromptUse.Always);
        FirstRoundPrompt = Of(PromptUse.FirstRound) ?? always;
        LaterRoundsPrompt = Of(PromptUse.LaterRounds) ?? always;
        ExplicitDecodePrompt = Of(PromptUse.Decode);
    }

    public AgentDescription Description { get; }

    public string Name => Description.Name;

    public CausalLM Model { get; }

    public ModelTokenizer Tokenizer { get; }

    public InnerLink InnerLink { get; }

    public PromptAssembler Assembler { get; }

    public int HiddenSize => Model.HiddenSize;

    public int LatentSteps => Description.LatentSteps;

    /// <summary>The prompt of round 1 (FirstRound, else Always).</summary>
    public AgentPrompt? FirstRoundPrompt { get; }

    /// <summary>The prompt of rounds 2..n (LaterRounds, else Always).</summary>
    public AgentPrompt? LaterRoundsPrompt { get; }

    AgentPrompt? ExplicitDecodePrompt { get; }

    /// <summary>The prompt the agent reads in <paramref name="round"/> (1-based), or for the final decode.</summary>
    public AgentPrompt PromptFor(int round, bool decode)
    {
        var prompt = decode ? ExplicitDecodePrompt ?? (round == 1 ? FirstRoundPrompt : LaterRoundsPrompt)
            : round == 1 ? FirstRoundPrompt : LaterRoundsPrompt;
        return prompt ?? throw new InvalidOperationException(
            $"agent {Name} has no prompt for {(decode ? "the final decode" : round == 1 ? "round 1" : "rounds after the first")}");
    }

    /// <summary>
    /// A latent rollout of m steps (default <see cref="LatentSteps"/>) over the prompt for each
    /// question with the given messages ([B, m', d] per slot). Returns H and E = R_in(H).
    /// </summary>
    public LatentThoughts Think(AgentPrompt prompt, IReadOnlyList<string> questions, IReadOnlyDictionary<string, Tensor> messages,
        int? steps = null, RolloutMode mode = RolloutMode.Cached) =>
        Think(prompt, questions, messages, out _, steps, mode);

    /// <inheritdoc cref="Think(AgentPrompt, IReadOnlyList{string}, IReadOnlyDictionary{string, Tensor}, int?, RolloutMode)"/>
    /// <param name="prefillTokens">Positions read before the first latent step, summed over the batch.</param>
    /// <param name="cancellationToken">Checked while the prompt is tokenized, between prefill pieces and before every latent step.</param>
    public LatentThoughts Think(AgentPrompt prompt, IReadOnlyList<string> questions, IReadOnlyDictionary<string, Tensor> messages,
        out int prefillTokens, int? steps = null, RolloutMode mode = RolloutMode.Cached, CancellationToken cancellationToken = default)
    {
        using var assembled = Assembler.Assemble(prompt, questions, messages, cancellationToken: cancellationToken);
        prefillTokens = assembled.Lengths.Sum();
        return LatentRollout.Run(Model, InnerLink, assembled.Embeddings, assembled.Mask, steps ?? LatentSteps, mode, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// <see cref="Think(AgentPrompt, IReadOnlyList{string}, IReadOnlyDictionary{string, Tensor}, int?, RolloutMode)"/> with the
    /// messages given positionally, one per entry of <see cref="AgentPrompt.Slots"/> — the form generated code calls.
    /// </summary>
    public LatentThoughts Think(AgentPrompt prompt, IReadOnlyList<string> questions, IReadOnlyList<Tensor> slotMessages,
        int? steps = null, RolloutMode mode = RolloutMode.Cached) =>
        Think(prompt, questions, BySlot(prompt, slotMessages), steps, mode);

    /// <inheritdoc cref="Think(AgentPrompt, IReadOnlyList{string}, IReadOnlyList{Tensor}, int?, RolloutMode)"/>
    /// <param name="prefillTokens">Positions read before the first latent step, summed over the batch (for <see cref="RunRecorder"/>).</param>
    public LatentThoughts Think(AgentPrompt prompt, IReadOnlyList<string> questions, IReadOnlyList<Tensor> slotMessages,
        out int prefillTokens, int? steps = null, RolloutMode mode = RolloutMode.Cached, CancellationToken cancellationToken = default) =>
        Think(prompt, questions, BySlot(prompt, slotMessages), out prefillTokens, steps, mode, cancellationToken);

    /// <summary>
    /// <see cref="Decode(AgentPrompt, IReadOnlyList{string}, IReadOnlyDictionary{string, Tensor}, DecodingDescription, out int, IReadOnlyList{ITool}?, Action{int, string}?, CancellationToken)"/>
    /// with the messages given positionally, one per entry of <see cref="AgentPrompt.Slots"/>.
    /// </summary>
    public IReadOnlyList<GeneratedSequence> Decode(AgentPrompt prompt, IReadOnlyList<string> questions, IReadOnlyList<Tensor> slotMessages,
        DecodingDescription decoding, IReadOnlyList<ITool>? tools = null) =>
        Decode(prompt, questions, BySlot(prompt, slotMessages), decoding, out _, tools);

    /// <inheritdoc cref="Decode(AgentPrompt, IReadOnlyList{string}, IReadOnlyList{Tensor}, DecodingDescription, IReadOnlyList{ITool}?)"/>
    /// <param name="prefillTokens">Positions read before generating, summed over the batch (for <see cref="RunRecorder"/>).</param>
    public IReadOnlyList<GeneratedSequence> Decode(AgentPrompt prompt, IReadOnlyList<string> questions, IReadOnlyList<Tensor> slotMessages,
        DecodingDescription decoding, out int prefillTokens, IReadOnlyList<ITool>? tools = null,
        Action<int, string>? onText = null, CancellationToken cancellationToken = default) =>
        Decode(prompt, questions, BySlot(prompt, slotMessages), decoding, out prefillTokens, tools, onText, cancellationToken);

    static IReadOnlyDictionary<string, Tensor> BySlot(AgentPrompt prompt, IReadOnlyList<Tensor> slotMessages)
    {
        var slots = prompt.Slots;
        if (slots.Count != slotMessages.Count)
            throw new ArgumentException($"the prompt has {slots.Count} slot(s) ({string.Join(", ", slots)}) but {slotMessages.Count} message(s) were given", nameof(slotMessages));
        return slots.Select((slot, i) => (slot, slotMessages[i])).ToDictionary(p => p.slot, p => p.Item2);
    }

    /// <summary>
    /// Decodes the final text for each question from the prompt with its latent messages; applies the
    /// boxed-answer retry of PAPER §7.3 when asked, and runs the tool loop when <paramref name="tools"/> is given.
    /// </summary>
    /// <param name="onText">
    /// Called with (row, text delta) while the text is generated; the deltas of a row concatenate to its
    /// final text. With tools, a row's text (tool results included) arrives in one piece when its loop ends.
    /// </param>
    /// <param name="cancellationToken">Checked while the prompt is tokenized, between prefill pieces and before every decode step.</param>
    public IReadOnlyList<GeneratedSequence> Decode(AgentPrompt prompt, IReadOnlyList<string> questions, IReadOnlyDictionary<string, Tensor> messages,
        DecodingDescription decoding, out int prefillTokens, IReadOnlyList<ITool>? tools = null,
        Action<int, string>? onText = null, CancellationToken cancellationToken = default)
    {
        var options = Sampling(decoding);
        IReadOnlyList<GeneratedSequence> results;
        if (tools is { Count: > 0 })
        {
            results = DecodeWithTools(prompt, questions, messages, options, tools, out prefillTokens, cancellationToken);
            for (int b = 0; b < results.Count && onText is not null; b++)
                onText(b, results[b].Text ?? "");
        }
        else
        {
            using var assembled = Assembler.Assemble(prompt, questions, messages, cancellationToken: cancellationToken);
            prefillTokens = assembled.Lengths.Sum();
            var streams = Streams(questions.Count, onText);
            results = Generator(streams, onText, cancellationToken).Generate(
                new ForwardInput { InputEmbeddings = assembled.Embeddings, AttentionMask = assembled.Mask },
                options, StopTokens, ids => Tokenizer.Decode(ids));
            for (int b = 0; b < results.Count && streams is not null; b++)
                Emit(onText!, b, streams[b].Finish(results[b].Text ?? ""));
        }
        if (decoding.RetryWithoutBoxedAnswer)
            results = RetryWithoutBoxedAnswer(prompt, questions, results, options with { MaxNewTokens = decoding.RetryTokens }, ref prefillTokens,
                onText: onText, cancellationToken: cancellationToken);
        return results;
    }

    StreamingDetokenizer[]? Streams(int rows, Action<int, string>? onText) =>
        onText is null ? null : [.. Enumerable.Range(0, rows).Select(_ => new StreamingDetokenizer(ids => Tokenizer.Decode(ids)))];

    /// <summary>A generator over this agent's model that streams row <c>r</c> to <c>onText(rowOf(r), …)</c>.</summary>
    TokenGenerator Generator(StreamingDetokenizer[]? streams, Action<int, string>? onText, CancellationToken cancellationToken,
        Func<int, int>? rowOf = null) => new(Model)
        {
            CancellationToken = cancellationToken,
            OnToken = streams is null ? null : (r, id) => Emit(onText!, rowOf?.Invoke(r) ?? r, streams[r].Append(id)),
        };

    static void Emit(Action<int, string> onText, int row, string delta)
    {
        if (delta.Length > 0)
            onText(row, delta);
    }

    /// <summary>Generates text with every message placeholder filled by text (the Recursive-TextMAS baseline).</summary>
    public IReadOnlyList<GeneratedSequence> GenerateText(AgentPrompt prompt, IReadOnlyList<string> questions,
        Func<int, string, string> messageText, SamplingOptions options, out int prefillTokens)
    {
        var rows = questions.Select((q, b) => (IReadOnlyList<int>)Tokenizer.Encode(prompt.RenderWithText(q, slot => messageText(b, slot)))).ToList();
        prefillTokens = rows.Sum(r => r.Count);
        using var batch = LeftPaddedBatch.FromIds(rows, Tokenizer.PadTokenId ?? 0);
        return new TokenGenerator(Model).Generate(new ForwardInput { InputIds = batch.Values, AttentionMask = batch.Mask },
            options, StopTokens, ids => Tokenizer.Decode(ids));
    }

    /// <summary>
    /// The final text of the Recursive-TextMAS baseline: like <see cref="GenerateText"/>, plus the
    /// boxed-answer retry when the decoding settings ask for it (the retry keeps the text messages).
    /// </summary>
    public IReadOnlyList<GeneratedSequence> DecodeText(AgentPrompt prompt, IReadOnlyList<string> questions,
        Func<int, string, string> messageText, DecodingDescription decoding, out int prefillTokens)
    {
        var options = Sampling(decoding);
        var results = GenerateText(prompt, questions, messageText, options, out prefillTokens);
        if (decoding.RetryWithoutBoxedAnswer)
            results = RetryWithoutBoxedAnswer(prompt, questions, results, options with { MaxNewTokens = decoding.RetryTokens }, ref prefillTokens, messageText);
        return results;
    }

    /// <summary>Ids that end a decode: the tokenizer's end-of-turn ids, else config.json's eos ids.</summary>
    public IReadOnlySet<int> StopTokens => Tokenizer.StopTokenIds.Count > 0 ? Tokenizer.StopTokenIds : Model.Config.EosTokenIds.ToHashSet();

    internal static SamplingOptions Sampling(DecodingDescription d) => new()
    {
        MaxNewTokens = d.MaxNewTokens,
        Temperature = d.Temperature,
        TopP = d.TopP,
        TopK = d.TopK,
        Seed = d.Seed,
    };

    /// <summary>
    /// PAPER §7.3: an output without a boxed answer gets "\nFinal Answer: \boxed{" appended and is
    /// continued for a few tokens — from the prompt without the latent messages, as upstream.
    /// </summary>
    IReadOnlyList<GeneratedSequence> RetryWithoutBoxedAnswer(AgentPrompt prompt, IReadOnlyList<string> questions,
        IReadOnlyList<GeneratedSequence> results, SamplingOptions options, ref int prefillTokens, Func<int, string, string>? messageText = null,
        Action<int, string>? onText = null, CancellationToken cancellationToken = default)
    {
        const string Cue = "\nFinal Answer: \\boxed{";
        var retry = Enumerable.Range(0, results.Count).Where(i => AnswerExtractor.LastBoxed(results[i].Text ?? "") is null).ToList();
        if (retry.Count == 0)
            return results;
        var rows = retry.Select(i => (IReadOnlyList<int>)Tokenizer.Encode(
            prompt.RenderWithText(questions[i], slot => messageText?.Invoke(i, slot) ?? "", assistantPrefix: results[i].Text + Cue))).ToList();
        prefillTokens += rows.Sum(r => r.Count);
        using var batch = LeftPaddedBatch.FromIds(rows, Tokenizer.PadTokenId ?? 0);
        foreach (int i in retry)
            onText?.Invoke(i, Cue);
        var streams = Streams(retry.Count, onText);
        var continued = Generator(streams, onText, cancellationToken, rowOf: k => retry[k]).Generate(
            new ForwardInput { InputIds = batch.Values, AttentionMask = batch.Mask },
            options, StopTokens, ids => Tokenizer.Decode(ids));
        for (int k = 0; k < retry.Count && streams is not null; k++)
            Emit(onText!, retry[k], streams[k].Finish(continued[k].Text ?? ""));
        var merged = results.ToArray();
        for (int k = 0; k < retry.Count; k++)
        {
            var first = results[retry[k]];
            merged[retry[k]] = new GeneratedSequence([.. first.TokenIds, .. continued[k].TokenIds], first.Text + Cue + continued[k].Text, continued[k].Reason);
        }
        return merged;
    }

    IReadOnlyList<GeneratedSequence> DecodeWithTools(AgentPrompt prompt, IReadOnlyList<string> questions, IReadOnlyDictionary<string, Tensor> messages,
        SamplingOptions options, IReadOnlyList<ITool> tools, out int prefillTokens, CancellationToken cancellationToken)
    {
        // Each row runs its own loop: rows call different tools at different times. Every segment
        // re-reads [prompt with latent messages, assistant text so far], as upstream does.
        var results = new GeneratedSequence[questions.Count];
        int prefill = 0;
        for (int b = 0; b < questions.Count; b++)
        {
            var row = messages.ToDictionary(kv => kv.Key, kv => kv.Value.narrow(0, b, 1));
            string question = questions[b];
            results[b] = ToolLoop.Run((assistant, budget, stops) =>
            {
                using var assembled = Assembler.Assemble(prompt, [question], row, [assistant], cancellationToken);
                prefill += assembled.Lengths.Sum();
                return new TokenGenerator(Model) { CancellationToken = cancellationToken }.Generate(
                    new ForwardInput { InputEmbeddings = assembled.Embeddings, AttentionMask = assembled.Mask },
                    options with { MaxNewTokens = budget, StopStrings = stops }, StopTokens, ids => Tokenizer.Decode(ids)).Single();
            }, tools, options.MaxNewTokens, ids => Tokenizer.Decode(ids));
        }
        prefillTokens = prefill;
        return results;
    }
}
