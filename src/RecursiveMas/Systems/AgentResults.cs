using RecursiveMas.Decoding;
using RecursiveMas.Latent;

namespace RecursiveMas.Systems;

/// <summary>What <see cref="SystemAgent.Think"/> returns: the rollout and what it read first.</summary>
/// <param name="Thoughts">H and E = R_in(H), [B, m, d] each.</param>
/// <param name="PrefillTokens">Positions read before the first latent step (text tokens and message vectors), summed over the batch.</param>
public sealed record ThinkResult(LatentThoughts Thoughts, int PrefillTokens);

/// <summary>What <see cref="SystemAgent.Decode"/> and the text methods return: one text per question and what was read first.</summary>
/// <param name="Texts">One generated sequence per question.</param>
/// <param name="PrefillTokens">Positions read before generating (retries included), summed over the batch.</param>
public sealed record TextResult(IReadOnlyList<GeneratedSequence> Texts, int PrefillTokens);
