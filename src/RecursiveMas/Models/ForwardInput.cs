using static TorchSharp.torch;

namespace RecursiveMas.Models;

/// <summary>
/// One forward call of a <see cref="CausalLM"/>: exactly one of <see cref="InputIds"/> and
/// <see cref="InputEmbeddings"/>, optionally a mask, explicit position ids and a cache to extend.
/// </summary>
public sealed record ForwardInput
{
    /// <summary>Token ids [B, T] (int64).</summary>
    public Tensor? InputIds { get; init; }

    /// <summary>Input embeddings [B, T, hidden] — how RecursiveMAS feeds latent thoughts and messages.</summary>
    public Tensor? InputEmbeddings { get; init; }

    /// <summary>
    /// [B, T] mask of the NEW positions (1/true = real, 0/false = padding); positions already in
    /// <see cref="Cache"/> keep the mask they were cached with. Null = all real.
    /// </summary>
    public Tensor? AttentionMask { get; init; }

    /// <summary>
    /// [B, T] int64 position ids. Null = derived per row from the mask: the next position after the
    /// row's cached real tokens, counting only real tokens, so a left-padded row gets the positions it
    /// would get alone.
    /// </summary>
    public Tensor? PositionIds { get; init; }

    /// <summary>A cache to read past keys from and append this call's keys to; null = no cache.</summary>
    public KvCache? Cache { get; init; }

    /// <summary>
    /// Logits to compute: 0 = none (hidden states only), k &gt; 0 = the last k positions,
    /// <see cref="CausalLM.AllPositions"/> = every position.
    /// </summary>
    public int LogitsToKeep { get; init; }
}

/// <summary>Result of <see cref="CausalLM.Forward"/>; disposes its tensors.</summary>
/// <param name="Hidden">Final-norm hidden states [B, T, hidden] (the input of <c>lm_head</c>).</param>
/// <param name="Logits">[B, k, vocab] for the requested last k positions, or null.</param>
public sealed record CausalLMOutput(Tensor Hidden, Tensor? Logits) : IDisposable
{
    public void Dispose()
    {
        Hidden.Dispose();
        Logits?.Dispose();
    }
}
