using RecursiveMas.Answers;
using RecursiveMas.Decoding;
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
    internal SystemAgent(AgentDescription description, CausalLM model, ModelTokenizer tokenizer, InnerLink innerLink, long prefixCacheBytes = 0)
    {
        Description = description;
        Prefixes = prefixCacheBytes > 0 ? new PromptPrefixCache(model, prefixCacheBytes) : null;
        Model = model;
        Tokenizer = tokenizer;
        InnerLink = innerLink;
        Assembler = new PromptAssembler(model, tokenizer);
        Prompts = new AgentPrompts(description, tokenizer, model.Config.MaxPositionEmbeddings);
    }

    public AgentDescription Description { get; }

    public string Name => Description.Name;

    public CausalLM Model { get; }

    public ModelTokenizer Tokenizer { get; }

    public InnerLink InnerLink { get; }

    public PromptAssembler Assembler { get; }

    /// <summary>
    /// The prompt prefixes (text before the first message slot) this agent has read, prefilled once and
    /// reused by later rounds and questions; null = every prompt is prefilled whole
    /// (<see cref="SystemLoadOptions.PrefixCacheBytes"/> 0).
    /// </summary>
    public PromptPrefixCache? Prefixes { get; }

    /// <summary>
    /// Whether turns read prompt prefixes from <see cref="Prefixes"/>. Link training turns it off for its
    /// stages: a prefix read from the store is computed in another forward than the rest of the prompt,
    /// which rounds differently in the last bits, so trained links would depend on what the store held when
    /// (a resumed run starts with it empty) and on whether the version that trained them had one.
    /// </summary>
    internal bool ReusePrefixes { get; set; } = true;

    public int HiddenSize => Model.HiddenSize;

    public int LatentSteps => Description.LatentSteps;

    /// <summary>The agent's prompts, tokenizer and context size: what a request is checked against (<see cref="RunAdmission"/>).</summary>
    public AgentPrompts Prompts { get; }

    /// <summary>The prompt of round 1 (FirstRound, else Always).</summary>
    public AgentPrompt? FirstRoundPrompt => Prompts.FirstRoundPrompt;

    /// <summary>The prompt of rounds 2..n (LaterRounds, else Always).</summary>
    public AgentPrompt? LaterRoundsPrompt => Prompts.LaterRoundsPrompt;

    /// <summary>The prompt the agent reads in <paramref name="round"/> (1-based), or for the final decode.</summary>
    public AgentPrompt PromptFor(int round, bool decode) => Prompts.PromptFor(round, decode);

    /// <summary>The prompt of <paramref name="round"/> with its <c>{round}</c> still to fill (<see cref="AgentPrompts.TemplateFor"/>).</summary>
    public AgentPrompt TemplateFor(int round, bool decode) => Prompts.TemplateFor(round, decode);

    /// <summary>
    /// A latent rollout of m steps (default <see cref="LatentSteps"/>) over the prompt for each
    /// question with the given messages ([B, m', d] per slot, by slot name; <see cref="AgentPrompt.BySlot"/>
    /// names positional ones). Returns H and E = R_in(H), and the positions read before the first step.
    /// </summary>
    /// <param name="cancellationToken">Checked while the prompt is tokenized, between prefill pieces and before every latent step.</param>
    /// <param name="inner">The map h → e; null = this agent's <see cref="InnerLink"/> (LatentMAS passes its realignment).</param>
    public ThinkResult Think(AgentPrompt prompt, IReadOnlyList<string> questions, IReadOnlyDictionary<string, Tensor> messages,
        int? steps = null, RolloutMode mode = RolloutMode.Cached, CancellationToken cancellationToken = default,
        nn.Module<Tensor, Tensor>? inner = null)
    {
        int m = steps ?? LatentSteps;
        if (mode == RolloutMode.Cached && AfterCachedPrefix(prompt, questions, messages, m, cancellationToken) is var (cache, rest))
        {
            using (cache)
            using (rest)
                return new ThinkResult(LatentRollout.Run(Model, inner ?? InnerLink, rest.Embeddings, rest.Mask, m, mode, cache, cancellationToken), rest.Lengths);
        }
        using var assembled = Assembler.Assemble(prompt, questions, messages, cancellationToken: cancellationToken);
        var thoughts = LatentRollout.Run(Model, inner ?? InnerLink, assembled.Embeddings, assembled.Mask, m, mode,
            cancellationToken: cancellationToken);
        return new ThinkResult(thoughts, assembled.Lengths);
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
    /// <param name="rows">Per-question seeds and cancellation when the questions belong to different requests; null = the decoding's seed for all.</param>
    public TextResult Decode(AgentPrompt prompt, IReadOnlyList<string> questions, IReadOnlyDictionary<string, Tensor> messages,
        DecodingDescription decoding, IReadOnlyList<ITool>? tools = null,
        Action<int, string>? onText = null, CancellationToken cancellationToken = default, IReadOnlyList<DecodeRow>? rows = null)
    {
        var options = Sampling(decoding);
        TextResult result;
        if (tools is { Count: > 0 })
        {
            result = DecodeWithTools(prompt, questions, messages, options, tools, cancellationToken, rows);
            for (int b = 0; b < result.Texts.Count && onText is not null; b++)
                onText(b, result.Texts[b].Text ?? "");
        }
        else if (AfterCachedPrefix(prompt, questions, messages, options.MaxNewTokens, cancellationToken) is var (cache, rest))
        {
            using (cache)
            using (rest)
                result = new TextResult(Generate(new ForwardInput { InputEmbeddings = rest.Embeddings, AttentionMask = rest.Mask, Cache = cache },
                    questions.Count, options, onText, cancellationToken, rows), rest.Lengths);
        }
        else
        {
            using var assembled = Assembler.Assemble(prompt, questions, messages, cancellationToken: cancellationToken);
            var texts = Generate(new ForwardInput { InputEmbeddings = assembled.Embeddings, AttentionMask = assembled.Mask },
                questions.Count, options, onText, cancellationToken, rows);
            result = new TextResult(texts, assembled.Lengths);
        }
        return decoding.RetryWithoutBoxedAnswer
            ? RetryWithoutBoxedAnswer(prompt, questions, result, options with { MaxNewTokens = decoding.RetryTokens }, null, onText, cancellationToken, rows)
            : result;
    }

    /// <summary>
    /// Generates text with every message placeholder filled by text: a Recursive-TextMAS message
    /// (<paramref name="onText"/> null) or, through <see cref="DecodeText"/>, its final answer.
    /// </summary>
    /// <param name="cancellationToken">Checked before every decode step.</param>
    public TextResult GenerateText(AgentPrompt prompt, IReadOnlyList<string> questions,
        Func<int, string, string> messageText, SamplingOptions options, Action<int, string>? onText = null,
        CancellationToken cancellationToken = default, IReadOnlyList<DecodeRow>? rows = null)
    {
        var ids = questions.Select((q, b) => (IReadOnlyList<int>)Tokenizer.Encode(prompt.RenderWithText(q, slot => messageText(b, slot)))).ToList();
        using var batch = LeftPaddedBatch.FromIds(ids, Tokenizer.PadTokenId ?? 0, Model.Device);
        var texts = Generate(new ForwardInput { InputIds = batch.Values, AttentionMask = batch.Mask }, ids.Count, options, onText, cancellationToken, rows);
        return new TextResult(texts, [.. ids.Select(r => r.Count)]);
    }

    /// <summary>
    /// The final text of the Recursive-TextMAS baseline: like <see cref="GenerateText"/>, plus the
    /// boxed-answer retry when the decoding settings ask for it (the retry keeps the text messages).
    /// </summary>
    /// <param name="onText">As for <see cref="Decode"/>.</param>
    public TextResult DecodeText(AgentPrompt prompt, IReadOnlyList<string> questions,
        Func<int, string, string> messageText, DecodingDescription decoding, Action<int, string>? onText = null,
        CancellationToken cancellationToken = default, IReadOnlyList<DecodeRow>? rows = null)
    {
        var options = Sampling(decoding);
        var result = GenerateText(prompt, questions, messageText, options, onText, cancellationToken, rows);
        return decoding.RetryWithoutBoxedAnswer
            ? RetryWithoutBoxedAnswer(prompt, questions, result, options with { MaxNewTokens = decoding.RetryTokens }, messageText, onText, cancellationToken, rows)
            : result;
    }

    /// <summary>
    /// The batch's prompt prefixes (text before the first slot, or before the question in a prompt without
    /// slots; <see cref="PromptAssembler.AssembleAfterPrefix"/>) from <see cref="Prefixes"/>, stacked into a
    /// cache with room for what follows and <paramref name="extra"/> more positions, and what follows them,
    /// embedded; null when prefixes are not reused (no store, no prefix, a training forward, a row without
    /// a prefix, or a cache that cannot be stacked). Reading the rest onto the cache gives what reading the
    /// whole prompt gives.
    /// </summary>
    (KvCache Cache, AssembledPrompt Following)? AfterCachedPrefix(AgentPrompt prompt, IReadOnlyList<string> questions,
        IReadOnlyDictionary<string, Tensor> messages, int extra, CancellationToken cancellationToken)
    {
        // Training reads prompts with autograd on (gradients reach the links through the messages): keep that path as it is.
        // A prompt without slots has a prefix only where text comes before its question.
        if (Prefixes is null || !ReusePrefixes || (prompt.Slots.Count == 0 && prompt.QuestionHead is null) || is_grad_enabled())
            return null;
        // A sliding window counts cache positions: padding between prefix and rest would move it (KvCache.Stack).
        if (questions.Count > 1 && Enumerable.Range(0, Model.Config.LayerCount).Any(i => Model.Config.KindOf(i) == LayerKind.SlidingAttention))
            return null;
        var (prefixes, rest) = Assembler.AssembleAfterPrefix(prompt, questions, messages, cancellationToken);
        try
        {
            if (prefixes.Any(p => p.Ids.Count == 0))
            {
                rest.Dispose();
                return null;
            }
            return (Prefixes.Stacked(prefixes, (int)rest.Embeddings.size(1) + extra, cancellationToken), rest);
        }
        catch
        {
            rest.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Generates from <paramref name="input"/> ([rows, …]); streams row k to <c>onText(rowOf(k), …)</c>,
    /// ending each row's deltas with what the detokenizer held back. Row k decodes with
    /// <c>questionRows[rowOf(k)]</c>'s seed and cancellation.
    /// </summary>
    IReadOnlyList<GeneratedSequence> Generate(ForwardInput input, int rows, SamplingOptions options, Action<int, string>? onText,
        CancellationToken cancellationToken, IReadOnlyList<DecodeRow>? questionRows, Func<int, int>? rowOf = null)
    {
        StreamingDetokenizer[]? streams = onText is null
            ? null
            : [.. Enumerable.Range(0, rows).Select(_ => new StreamingDetokenizer(ids => Tokenizer.Decode(ids)))];
        var generator = new TokenGenerator(Model)
        {
            CancellationToken = cancellationToken,
            Rows = questionRows is null ? null : [.. Enumerable.Range(0, rows).Select(k => questionRows[rowOf?.Invoke(k) ?? k])],
            OnToken = streams is null ? null : (r, id) => Emit(onText!, rowOf?.Invoke(r) ?? r, streams[r].Append(id)),
        };
        var results = generator.Generate(input, options, StopTokens, ids => Tokenizer.Decode(ids));
        for (int k = 0; k < results.Count && streams is not null; k++)
            Emit(onText!, rowOf?.Invoke(k) ?? k, streams[k].Finish(results[k].Text ?? ""));
        return results;
    }

    static void Emit(Action<int, string> onText, int row, string delta)
    {
        if (delta.Length > 0)
            onText(row, delta);
    }

    /// <summary>Ids that end a decode: the tokenizer's end-of-turn ids, else config.json's eos ids.</summary>
    /// <summary>The token that ends the agent's turn: its tokenizer's end-of-sequence token, else its lowest stop token; null when it has neither.</summary>
    public int? EndOfTurnTokenId => Tokenizer.EosTokenId ?? (StopTokens.Count > 0 ? StopTokens.Min() : null);

    public IReadOnlySet<int> StopTokens => Tokenizer.StopTokenIds.Count > 0 ? Tokenizer.StopTokenIds : Model.Config.EosTokenIds.ToHashSet();

    internal static SamplingOptions Sampling(DecodingDescription d) => new()
    {
        MaxNewTokens = d.MaxNewTokens,
        Temperature = d.Temperature,
        TopP = d.TopP,
        TopK = d.TopK,
        Seed = d.Seed,
    };

    /// <summary>What <see cref="RetryWithoutBoxedAnswer"/> appends to an answer without a boxed one (PAPER §7.3).</summary>
    internal const string FinalAnswerCue = "\nFinal Answer: \\boxed{";

    /// <summary>
    /// PAPER §7.3: an output without a boxed answer gets "\nFinal Answer: \boxed{" appended and is
    /// continued for a few tokens — from the prompt without the latent messages, as upstream. The retry reads
    /// the answer's text re-tokenized, as upstream does, which can take more positions than its tokens did
    /// (bytes that are not UTF-8 come back as U+FFFD, three bytes); a row whose retry would not fit its model's
    /// context keeps its first answer rather than run past <c>max_position_embeddings</c>.
    /// </summary>
    TextResult RetryWithoutBoxedAnswer(AgentPrompt prompt, IReadOnlyList<string> questions, TextResult first, SamplingOptions options,
        Func<int, string, string>? messageText, Action<int, string>? onText, CancellationToken cancellationToken, IReadOnlyList<DecodeRow>? questionRows)
    {
        var results = first.Texts;
        var candidates = Enumerable.Range(0, results.Count).Where(i => results[i].Reason != FinishReason.Cancelled
            && AnswerExtractor.LastBoxed(results[i].Text ?? "") is null);
        var retry = new List<int>();
        var rows = new List<IReadOnlyList<int>>();
        foreach (int i in candidates)
        {
            var ids = Tokenizer.Encode(prompt.RenderWithText(questions[i], slot => messageText?.Invoke(i, slot) ?? "", assistantPrefix: results[i].Text + FinalAnswerCue));
            if (ids.Count + options.MaxNewTokens > Prompts.MaxPositions)
                continue;
            retry.Add(i);
            rows.Add(ids);
        }
        if (retry.Count == 0)
            return first;
        using var batch = LeftPaddedBatch.FromIds(rows, Tokenizer.PadTokenId ?? 0, Model.Device);
        foreach (int i in retry)
            onText?.Invoke(i, FinalAnswerCue);
        var continued = Generate(new ForwardInput { InputIds = batch.Values, AttentionMask = batch.Mask }, retry.Count, options,
            onText, cancellationToken, questionRows, rowOf: k => retry[k]);
        var merged = results.ToArray();
        for (int k = 0; k < retry.Count; k++)
        {
            var text = results[retry[k]];
            merged[retry[k]] = new GeneratedSequence([.. text.TokenIds, .. continued[k].TokenIds], text.Text + FinalAnswerCue + continued[k].Text, continued[k].Reason);
        }
        var prefill = first.RowPrefillTokens.ToArray();
        for (int k = 0; k < retry.Count; k++)
            prefill[retry[k]] += rows[k].Count;
        return new TextResult(merged, prefill);
    }

    TextResult DecodeWithTools(AgentPrompt prompt, IReadOnlyList<string> questions, IReadOnlyDictionary<string, Tensor> messages,
        SamplingOptions options, IReadOnlyList<ITool> tools, CancellationToken cancellationToken, IReadOnlyList<DecodeRow>? questionRows)
    {
        // Each row runs its own loop: rows call different tools at different times. Every segment
        // re-reads [prompt with latent messages, assistant text so far], as upstream does.
        var results = new GeneratedSequence[questions.Count];
        var prefill = new int[questions.Count];
        for (int b = 0; b < questions.Count; b++)
        {
            var row = messages.ToDictionary(kv => kv.Key, kv => kv.Value.narrow(0, b, 1));
            string question = questions[b];
            int at = b;
            results[b] = ToolLoop.Run((assistant, budget, stops) =>
            {
                using var assembled = Assembler.Assemble(prompt, [question], row, [assistant], cancellationToken);
                prefill[at] += assembled.Lengths.Sum();
                return new TokenGenerator(Model) { CancellationToken = cancellationToken, Rows = questionRows is null ? null : [questionRows[at]] }.Generate(
                    new ForwardInput { InputEmbeddings = assembled.Embeddings, AttentionMask = assembled.Mask },
                    options with { MaxNewTokens = budget, StopStrings = stops }, StopTokens, ids => Tokenizer.Decode(ids)).Single();
            }, tools, options.MaxNewTokens, ids => Tokenizer.Decode(ids));
        }
        return new TextResult(results, prefill);
    }
}
