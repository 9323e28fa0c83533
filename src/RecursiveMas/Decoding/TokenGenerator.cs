using RecursiveMas.Models;
using static TorchSharp.torch;

namespace RecursiveMas.Decoding;

/// <summary>
/// Autoregressive decoding of a <see cref="CausalLM"/> with a KV cache: one prefill of the prompt
/// (ids or input embeddings, left-padded batches allowed), then one position per step. Rows stop
/// independently (end-of-sequence token, stop string, or token budget); a finished row keeps
/// being fed its last token until the whole batch is done, which cannot affect other rows.
/// </summary>
public sealed class TokenGenerator(CausalLM model)
{
    /// <summary>The model decoded.</summary>
    public CausalLM Model { get; } = model;

    /// <summary>
    /// Called with (row, token id) as each token is chosen, before the stop checks, so callers can
    /// stream text while the decode runs (the end-of-sequence token is reported too).
    /// </summary>
    public Action<int, int>? OnToken { get; init; }

    /// <summary>Checked between prefill pieces and before every decode step; a cancelled token stops the decode with <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>
    /// Per-row seeds and cancellation for a batch whose rows belong to different requests (one entry per
    /// row); null = every row uses the options' seed and only <see cref="CancellationToken"/> stops it.
    /// </summary>
    public IReadOnlyList<DecodeRow>? Rows { get; init; }

    /// <summary>
    /// Generates a continuation for each row of <paramref name="prompt"/>. Without a cache the generator
    /// makes its own; a prompt that carries one continues it (e.g. a cached prompt prefix,
    /// <see cref="Latent.PromptPrefixCache"/>), which is extended in place and stays the caller's.
    /// </summary>
    /// <param name="prompt">The prompt, as ids or embeddings with an optional left-padding mask.</param>
    /// <param name="options">Sampling and stopping options.</param>
    /// <param name="stopTokenIds">Token ids that end a sequence (used when <see cref="SamplingOptions.StopAtEndOfSequence"/>).</param>
    /// <param name="decode">Ids → text; needed for stop strings and for <see cref="GeneratedSequence.Text"/>.</param>
    public IReadOnlyList<GeneratedSequence> Generate(
        ForwardInput prompt,
        SamplingOptions options,
        IReadOnlySet<int> stopTokenIds,
        Func<IReadOnlyList<int>, string>? decode = null)
    {
        options.Validate();
        if (options.StopStrings.Count > 0 && decode is null)
            throw new ArgumentException("stop strings need a decoder", nameof(decode));

        CancellationToken.ThrowIfCancellationRequested();
        long batch = (prompt.InputIds ?? prompt.InputEmbeddings)!.size(0);
        long promptLength = (prompt.InputIds ?? prompt.InputEmbeddings)!.size(1);
        using var owned = prompt.Cache is null ? Model.NewCache((int)batch, (int)promptLength + options.MaxNewTokens) : null;
        var cache = prompt.Cache ?? owned!;
        using var output = Model.Prefill(prompt with { Cache = cache, LogitsToKeep = 1 }, cancellationToken: CancellationToken);
        return Continue(cache, output.Logits!.select(1, 0), options, stopTokenIds, decode);
    }

    /// <summary>
    /// Decodes on from a prefilled <paramref name="cache"/> whose next-token logits [B, vocab] are
    /// <paramref name="nextLogits"/>. The cache is extended in place.
    /// </summary>
    public IReadOnlyList<GeneratedSequence> Continue(
        KvCache cache,
        Tensor nextLogits,
        SamplingOptions options,
        IReadOnlySet<int> stopTokenIds,
        Func<IReadOnlyList<int>, string>? decode = null)
    {
        options.Validate();
        int batch = cache.BatchSize;
        if (Rows is not null && Rows.Count != batch)
            throw new ArgumentException($"{Rows.Count} decode rows for a batch of {batch}", nameof(Rows));
        var tokens = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToArray();
        var texts = new string?[batch];
        var reasons = new FinishReason?[batch];
        using var sampler = new TokenSampler(options, Model.Device, Rows?.Select(r => r.Seed).ToList());
        // Each step runs in its own dispose scope; only the next step's logits outlive it.
        var logits = nextLogits.detach().clone().DetachFromDisposeScope();
        try
        {
            for (int step = 0; step < options.MaxNewTokens; step++)
            {
                CancellationToken.ThrowIfCancellationRequested();
                using var stepScope = NewDisposeScope();
                long[] chosen = sampler.Next(logits).to(ScalarType.Int64).data<long>().ToArray();
                // A row cancelled on its own stops before this step's token: the others never notice.
                for (int r = 0; r < batch && Rows is not null; r++)
                    if (reasons[r] is null && Rows[r].Cancellation.IsCancellationRequested)
                        reasons[r] = FinishReason.Cancelled;
                Record(chosen, tokens, texts, reasons, options, stopTokenIds, decode, OnToken);
                if (reasons.All(r => r is not null) || step == options.MaxNewTokens - 1)
                    break;

                // Finished rows are fed their last token again; their results are no longer read.
                for (int r = 0; r < batch; r++)
                    if (reasons[r] is not null)
                        chosen[r] = tokens[r].Count > 0 ? tokens[r][^1] : chosen[r];
                var stepOutput = Model.Forward(new ForwardInput
                {
                    InputIds = tensor(chosen, device: Model.Device).unsqueeze(1),
                    Cache = cache,
                    LogitsToKeep = 1,
                });
                var following = stepOutput.Logits!.select(1, 0).detach().clone().DetachFromDisposeScope();
                logits.Dispose();
                logits = following;
            }
        }
        finally
        {
            logits.Dispose();
        }

        var results = new GeneratedSequence[batch];
        for (int r = 0; r < batch; r++)
        {
            var reason = reasons[r] ?? FinishReason.MaxNewTokens;
            string? text = texts[r] ?? decode?.Invoke(tokens[r]);
            results[r] = new GeneratedSequence(tokens[r], text, reason);
        }
        return results;
    }

    static void Record(
        long[] chosen,
        List<int>[] tokens,
        string?[] texts,
        FinishReason?[] reasons,
        SamplingOptions options,
        IReadOnlySet<int> stopTokenIds,
        Func<IReadOnlyList<int>, string>? decode,
        Action<int, int>? onToken)
    {
        for (int r = 0; r < chosen.Length; r++)
        {
            if (reasons[r] is not null)
                continue;
            int id = checked((int)chosen[r]);
            tokens[r].Add(id);
            onToken?.Invoke(r, id);
            if (options.StopAtEndOfSequence && stopTokenIds.Contains(id))
            {
                reasons[r] = FinishReason.EndOfSequence;
                continue;
            }
            if (options.StopStrings.Count == 0)
                continue;
            string text = decode!(tokens[r]);
            int cut = FirstStop(text, options.StopStrings);
            if (cut >= 0)
            {
                reasons[r] = FinishReason.StopString;
                texts[r] = text[..cut];
            }
        }
    }

    static int FirstStop(string text, IReadOnlyList<string> stops)
    {
        int best = -1;
        foreach (var stop in stops)
        {
            int at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (best < 0 || at < best))
                best = at;
        }
        return best;
    }
}
