using RecursiveMas.Links;
using static TorchSharp.torch;

namespace RecursiveMas.Latent;

/// <summary>
/// The latent thoughts of agent <typeparamref name="TAgent"/> (an <c>[Agent]</c> class) as its outer links read them: E = R_in(H),
/// [B, m, d_agent]. Typed by the agent, so generated code cannot hand one agent's thoughts to a link
/// of another without a compile error.
/// </summary>
public readonly record struct Thoughts<TAgent>(Tensor Embeddings)
{
    public long Steps => Embeddings.size(1);
}

/// <summary>
/// A message from <typeparamref name="TFrom"/> to <typeparamref name="TTo"/>: vectors in the receiver's
/// embedding space, [B, m, d_to], ready for the receiver's <c>{from:TFrom}</c> (or <c>{feedback}</c>) slot.
/// </summary>
public readonly record struct Message<TFrom, TTo>(Tensor Vectors);

/// <summary>An outer link typed by its edge: it only accepts the sender's latents and only yields messages for the receiver.</summary>
public sealed class TypedOuterLink<TFrom, TTo>(OuterLink link)
{
    /// <summary>The untyped link (its weights, id and dims).</summary>
    public OuterLink Link { get; } = link;

    /// <summary>R_out(E): the sender's latent embeddings mapped into the receiver's space.</summary>
    public Message<TFrom, TTo> Send(Thoughts<TFrom> latent) => new(Link.forward(latent.Embeddings));
}
