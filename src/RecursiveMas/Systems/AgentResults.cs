using RecursiveMas.Decoding;
using RecursiveMas.Latent;

namespace RecursiveMas.Systems;

/// <summary>What <see cref="SystemAgent.Think"/> returns: the rollout and what it read first.</summary>
/// <param name="Thoughts">H and E = R_in(H), [B, m, d] each.</param>
/// <param name="RowPrefillTokens">Positions each question's row read before the first latent step (text tokens and message vectors).</param>
public sealed record ThinkResult(LatentThoughts Thoughts, IReadOnlyList<int> RowPrefillTokens)
{
    /// <summary>Positions read before the first latent step, summed over the batch.</summary>
    public int PrefillTokens => RowPrefillTokens.Sum();
}

/// <summary>What <see cref="SystemAgent.Decode"/> and the text methods return: one text per question and what was read first.</summary>
/// <param name="Texts">One generated sequence per question.</param>
/// <param name="RowPrefillTokens">Positions each question's row read before generating (retries included).</param>
public sealed record TextResult(IReadOnlyList<GeneratedSequence> Texts, IReadOnlyList<int> RowPrefillTokens)
{
    /// <summary>Positions read before generating, summed over the batch.</summary>
    public int PrefillTokens => RowPrefillTokens.Sum();
}
