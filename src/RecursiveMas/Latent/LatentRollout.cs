using RecursiveMas.Links;
using RecursiveMas.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RecursiveMas.Latent;

/// <summary>How <see cref="LatentRollout"/> computes each latent step.</summary>
public enum RolloutMode
{
    /// <summary>One new position per step on a KV cache: m forwards of length 1 after the prefill.</summary>
    Cached,

    /// <summary>
    /// As the official code does it: every step re-runs the whole sequence without a cache (m forwards
    /// of length L..L+m−1). Kept for equivalence tests and benchmarks.
    /// </summary>
    Reference,
}

/// <summary>The m latent thoughts of a rollout.</summary>
/// <param name="Hidden">H [B, m, d]: the final-norm hidden states h_t … h_{t+m−1} of the last position.</param>
/// <param name="Embeddings">E = R_in(H) [B, m, d]: the latent embeddings, computed once during the rollout and reused as the outer links' input.</param>
public sealed record LatentThoughts(Tensor Hidden, Tensor Embeddings) : IDisposable
{
    public void Dispose()
    {
        Hidden.Dispose();
        Embeddings.Dispose();
    }
}

/// <summary>
/// An agent thinking for m steps in its own latent space (PAPER §2.3): the last hidden state goes
/// through the inner link and comes back as the next input embedding, instead of being decoded.
/// </summary>
public static class LatentRollout
{
    /// <summary>
    /// Rolls out <paramref name="steps"/> latent thoughts after a prompt given as embeddings
    /// [B, L, d] (left-padded rows with <paramref name="mask"/>). When <paramref name="cache"/> is given
    /// (Cached mode) it may already hold a prompt prefix; the prompt continues it and the rollout
    /// extends it in place. The last latent embedding is computed but never fed back, as upstream.
    /// </summary>
    /// <param name="inner">The map h → e: an <see cref="InnerLink"/>, or any d→d module (LatentMAS's realignment).</param>
    /// <param name="cancellationToken">Checked between prefill pieces (Cached mode) and before every latent step.</param>
    public static LatentThoughts Run(
        CausalLM model,
        nn.Module<Tensor, Tensor> inner,
        Tensor promptEmbeddings,
        Tensor? mask,
        int steps,
        RolloutMode mode = RolloutMode.Cached,
        KvCache? cache = null,
        CancellationToken cancellationToken = default)
    {
        if (steps < 1)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, "a rollout needs at least one latent step");
        if (inner is RecursiveLink link && link.InDim != model.HiddenSize)
            throw new ArgumentException($"inner link {link.Id} is {link.InDim}-dimensional but the model's hidden size is {model.HiddenSize}", nameof(inner));
        if (mode == RolloutMode.Reference && cache is not null)
            throw new ArgumentException("the reference rollout re-runs the whole sequence and takes no cache", nameof(cache));
        cancellationToken.ThrowIfCancellationRequested();
        return mode == RolloutMode.Cached
            ? RunCached(model, inner, promptEmbeddings, mask, steps, cache, cancellationToken)
            : RunReference(model, inner, promptEmbeddings, mask, steps, cancellationToken);
    }

    static LatentThoughts RunCached(CausalLM model, nn.Module<Tensor, Tensor> inner, Tensor prompt, Tensor? mask, int steps, KvCache? given,
        CancellationToken cancellationToken)
    {
        long batch = prompt.size(0);
        KvCache? owned = given is null ? model.NewCache((int)batch, (int)prompt.size(1) + steps) : null;
        var cache = given ?? owned!;
        try
        {
            using var scope = NewDisposeScope();
            var hidden = new List<Tensor>(steps);
            var embeddings = new List<Tensor>(steps);
            // The prompt goes in pieces, cancellable between them; a short one is one forward.
            var output = model.Prefill(new ForwardInput { InputEmbeddings = prompt, AttentionMask = mask, Cache = cache }, cancellationToken: cancellationToken);
            var h = output.Hidden.select(1, -1);
            for (int step = 0; step < steps; step++)
            {
                var e = inner.forward(h);
                hidden.Add(h);
                embeddings.Add(e);
                if (step == steps - 1)
                    break;
                cancellationToken.ThrowIfCancellationRequested();
                output = model.Forward(new ForwardInput { InputEmbeddings = e.unsqueeze(1), Cache = cache });
                h = output.Hidden.select(1, 0);
            }
            return new LatentThoughts(stack(hidden, 1).MoveToOuterDisposeScope(), stack(embeddings, 1).MoveToOuterDisposeScope());
        }
        finally
        {
            owned?.Dispose();
        }
    }

    static LatentThoughts RunReference(CausalLM model, nn.Module<Tensor, Tensor> inner, Tensor prompt, Tensor? mask, int steps,
        CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        long batch = prompt.size(0);
        var sequence = prompt;
        var sequenceMask = mask?.to(ScalarType.Bool) ?? ones(batch, prompt.size(1), ScalarType.Bool, prompt.device);
        var hidden = new List<Tensor>(steps);
        var embeddings = new List<Tensor>(steps);
        for (int step = 0; step < steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var output = model.Forward(new ForwardInput { InputEmbeddings = sequence, AttentionMask = sequenceMask });
            var h = output.Hidden.select(1, -1);
            var e = inner.forward(h);
            hidden.Add(h);
            embeddings.Add(e);
            sequence = cat([sequence, e.unsqueeze(1).to(sequence.dtype)], 1);
            sequenceMask = cat([sequenceMask, ones(batch, 1, ScalarType.Bool, prompt.device)], 1);
        }
        return new LatentThoughts(stack(hidden, 1).MoveToOuterDisposeScope(), stack(embeddings, 1).MoveToOuterDisposeScope());
    }
}
