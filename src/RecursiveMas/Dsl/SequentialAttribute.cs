namespace RecursiveMas;

/// <summary>
/// The <b>sequential</b> pattern (the paper's Planner → Critic → Solver): each agent sends its latent
/// message to the next one; the last agent's message closes the loop back to the first agent for the
/// next round, and the last agent decodes the answer.
/// </summary>
/// <remarks>
/// Edges for agents A1 … Ak: forward A1 → A2 → … → Ak; loop-closing (feedback) Ak → A1; decoder Ak.
/// So A(i+1)'s prompts need <c>{from:Ai}</c>, and A1's later-rounds prompt needs <c>{feedback}</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class SequentialAttribute : Attribute
{
    /// <summary>Declares the chain of agents, first to last; at least two <c>[Agent]</c> types.</summary>
    /// <param name="agents">The agent types in the order they run.</param>
    public SequentialAttribute(params Type[] agents) => Agents = agents;

    /// <summary>The agent types in the order they run; the last one decodes.</summary>
    public Type[] Agents { get; }
}
