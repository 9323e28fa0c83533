namespace RecursiveMas;

/// <summary>
/// Declares a <b>recursive multi-agent system</b>: its agents run <see cref="Rounds"/> times, passing
/// latent messages along the edges of one collaboration pattern, and only the decoder agent writes
/// text, at the end of the last round. Put it on a <c>partial class</c> together with exactly one
/// pattern: <see cref="SequentialAttribute"/>, <see cref="MixtureAttribute"/>,
/// <see cref="DistillationAttribute"/>, <see cref="DeliberationAttribute"/>, or a custom graph of
/// <see cref="LinkAttribute"/>s plus one <see cref="DecoderAttribute"/>.
/// </summary>
/// <remarks>
/// <para>
/// In each round every agent runs once, in the order of the pattern's forward edges. A
/// <i>loop-closing</i> edge (the feedback edge, such as Solver → Planner in a sequential system)
/// carries a message produced in round r into round r + 1, where the receiving agent reads it through
/// the <c>{feedback}</c> placeholder of its later-rounds prompt.
/// </para>
/// <code>
/// [RecursiveSystem(Rounds = 3)]
/// [Sequential(typeof(Planner), typeof(Critic), typeof(Solver))]
/// public partial class MathTeam;
/// </code>
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class RecursiveSystemAttribute : Attribute
{
    /// <summary>
    /// n: how many recursion rounds the system runs. Default 3, as the paper's released systems were
    /// trained and evaluated; at least 1. Links trained with one n run off-distribution with another.
    /// </summary>
    public int Rounds { get; set; } = 3;
}
