namespace RecursiveMas;

/// <summary>
/// One edge of a <b>custom graph</b>: a trained outer link that carries <c>from</c>'s
/// latent message into <c>to</c>'s embedding space. Repeat it for every edge and name the
/// decoding agent with one <see cref="DecoderAttribute"/>.
/// </summary>
/// <remarks>
/// <para>
/// The first agent is the source of the first declared link. An edge is <i>loop-closing</i> (a
/// feedback edge, read through <c>{feedback}</c> in the next round) when it points back to an agent
/// that is still being visited in a depth-first walk from the first agent that follows the links in
/// declaration order; every other edge is a forward edge, read through <c>{from:Source}</c> in the same
/// round. Every agent must be reachable from the first one, an agent receives at most one feedback
/// edge, and with more than one round the decoder must lead back to the first agent.
/// </para>
/// <code>
/// [RecursiveSystem(Rounds = 3)]
/// [Link(typeof(Planner), typeof(Solver))]
/// [Link(typeof(Solver), typeof(Planner))]   // loop-closing
/// [Decoder(typeof(Solver))]
/// public partial class PlanAndSolve;
/// </code>
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LinkAttribute : Attribute
{
    /// <summary>Declares the edge <paramref name="from"/> → <paramref name="to"/>.</summary>
    /// <param name="from">The sending <c>[Agent]</c> type.</param>
    /// <param name="to">The receiving <c>[Agent]</c> type.</param>
    public LinkAttribute(Type from, Type to)
    {
        From = from;
        To = to;
    }

    /// <summary>The sending agent.</summary>
    public Type From { get; }

    /// <summary>The receiving agent.</summary>
    public Type To { get; }

    /// <summary>
    /// The link's input width as the author expects it: must equal the sending agent's hidden size.
    /// 0, the default, declares nothing.
    /// </summary>
    public int FromHiddenSize { get; set; }

    /// <summary>
    /// The link's output width as the author expects it: must equal the receiving agent's hidden size.
    /// 0, the default, declares nothing.
    /// </summary>
    public int ToHiddenSize { get; set; }
}
