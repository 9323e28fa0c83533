using RecursiveMas.Latent;
using RecursiveMas.Models;
using RecursiveMas.Systems;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Training;

/// <summary>
/// An agent's prompt followed by a known text, as one batch of input embeddings: the prompt
/// assembled as at inference (chat format, latent messages in their slots, left-padded), then each
/// row's target tokens (tokenized on their own, right-padded). Positions come from the mask, so the
/// padding in the middle of a row changes nothing. State i (at cache index T−1+j) predicts target
/// token j; states over the target itself start at T.
/// </summary>
/// <param name="Embeddings">[B, T + L, d] in the model's dtype.</param>
/// <param name="Mask">[B, T + L] bool.</param>
/// <param name="PromptLength">T, the padded prompt length.</param>
/// <param name="TargetIds">[B, L] int64 (0 past a row's end).</param>
/// <param name="TargetMask">[B, L] bool, true at real target tokens.</param>
/// <param name="TargetEmbeddings">[B, L, d]: the input embeddings of the target tokens (the inner loop's regression targets).</param>
/// <param name="TargetLengths">Real target tokens per row.</param>
internal sealed record TeacherForcedInput(Tensor Embeddings, Tensor Mask, long PromptLength, Tensor TargetIds, Tensor TargetMask,
    Tensor TargetEmbeddings, IReadOnlyList<int> TargetLengths)
{
    /// <summary>L, the longest target.</summary>
    public long TargetLength => TargetIds.shape[1];

    /// <summary>
    /// Builds the input for <paramref name="agent"/>. A target that tokenizes to nothing is an error
    /// naming the example and the agent; <paramref name="stopToken"/> is appended to every target when given.
    /// </summary>
    /// <param name="messageLengths">Each row's real message length per slot, for messages of different lengths (teacher messages); null = all.</param>
    /// <param name="endIds">Ids appended to every target instead of <paramref name="stopToken"/> (the chat template's turn end), when given.</param>
    /// <param name="maxTokens">
    /// The longest row (prompt and target) a forward reads, as released (max_length, left truncation): a longer
    /// row loses the start of its prompt (those positions become padding the mask hides, so positions and
    /// the rest are as if they were never there); the target and one prompt position always stay.
    /// </param>
    public static TeacherForcedInput Build(SystemAgent agent, AgentPrompt prompt, IReadOnlyList<string> questions,
        IReadOnlyDictionary<string, Tensor> messages, IReadOnlyList<string> targets, Func<int, string> describe, int? stopToken = null,
        IReadOnlyDictionary<string, IReadOnlyList<int>>? messageLengths = null, IReadOnlyList<int>? endIds = null, int? maxTokens = null)
    {
        var model = agent.Model;
        var rows = new List<long[]>(targets.Count);
        for (int b = 0; b < targets.Count; b++)
        {
            var ids = agent.Tokenizer.Encode(targets[b]).Select(i => (long)i).ToList();
            if (endIds is { Count: > 0 })
                ids.AddRange(endIds.Select(i => (long)i));
            else if (stopToken is int stop)
                ids.Add(stop);
            if (ids.Count == 0)
                throw new ArgumentException($"{describe(b)}: the target text of agent {agent.Name} is empty");
            // Targets are never cut: one longer than the limit allows was read whole, past it (a million-token
            // role text was a mask libtorch could not allocate, exit 70).
            if (maxTokens is int limit && ids.Count > limit - 1)
                throw new ArgumentException($"{describe(b)}: the target text of agent {agent.Name} is {ids.Count:N0} tokens; a training row reads at most " +
                    $"{limit:N0} (its target whole and at least one prompt position), so it must be at most {limit - 1:N0}");
            rows.Add([.. ids]);
        }
        int longest = rows.Max(r => r.Length);
        var flat = new long[rows.Count * longest];
        var real = new bool[rows.Count * longest];
        for (int b = 0; b < rows.Count; b++)
        {
            Array.Copy(rows[b], 0, flat, b * longest, rows[b].Length);
            Array.Fill(real, true, b * longest, rows[b].Length);
        }

        using var assembled = agent.Assembler.Assemble(prompt, questions, messages, messageLengths: messageLengths);
        var targetIds = tensor(flat, [rows.Count, longest], device: model.Device);
        var targetMask = tensor(real, [rows.Count, longest], device: model.Device);
        var targetEmbeddings = model.Embed(targetIds);
        var embeddings = cat([assembled.Embeddings, targetEmbeddings.to(model.DType)], 1);
        var mask = cat([assembled.Mask, targetMask], 1);
        long promptWidth = assembled.Embeddings.shape[1];
        using var hidden = false.ToScalar();
        for (int b = 0; b < rows.Count && maxTokens is int max; b++)
        {
            int promptReal = assembled.Lengths[b];
            int drop = Math.Min(promptReal + rows[b].Length - max, promptReal - 1);
            if (drop > 0)
                mask[b].narrow(0, promptWidth - promptReal, drop).fill_(hidden);
        }
        return new TeacherForcedInput(embeddings, mask, assembled.Embeddings.shape[1], targetIds, targetMask, targetEmbeddings,
            [.. rows.Select(r => r.Length)]);
    }

    /// <summary>Runs the frozen model over the whole sequence; final-norm hidden states [B, T + L, d].</summary>
    public Tensor Hidden(CausalLM model) =>
        model.Forward(new ForwardInput { InputEmbeddings = Embeddings, AttentionMask = Mask }).Hidden;

    /// <summary>[B, L, d]: the states that predict each target token (positions T−1 … T+L−2).</summary>
    public Tensor PredictorStates(Tensor hidden) => hidden.narrow(1, PromptLength - 1, TargetLength);

    /// <summary>[B, k, d]: the states over the first <paramref name="k"/> target tokens (positions T … T+k−1).</summary>
    public Tensor TargetStates(Tensor hidden, long k) => hidden.narrow(1, PromptLength, k);

    /// <summary>
    /// Cross-entropy of the model's predictions of the target (padding excluded): each sample's mean over
    /// its tokens, then the mean over samples (as released), or the mean over all tokens of the batch.
    /// </summary>
    public Tensor CrossEntropy(CausalLM model, Tensor hidden, LossAveraging averaging = LossAveraging.PerSample)
    {
        var logits = model.Logits(PredictorStates(hidden)).to(ScalarType.Float32);
        var perToken = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), TargetIds.reshape(-1), reduction: nn.Reduction.None)
            .reshape(TargetIds.shape[0], TargetIds.shape[1]);
        var weights = TargetMask.to(ScalarType.Float32);
        return averaging == LossAveraging.PerToken
            ? (perToken * weights).sum() / weights.sum()
            : ((perToken * weights).sum(1) / weights.sum(1)).mean();
    }
}
