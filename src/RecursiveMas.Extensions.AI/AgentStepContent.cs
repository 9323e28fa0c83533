using Microsoft.Extensions.AI;
using RecursiveMas.Systems;

namespace RecursiveMas.Extensions.AI;

/// <summary>
/// A streaming update's content saying that an agent finished a step of the run (its round, latent
/// steps, tokens and time). It carries no text, so text-only consumers pass over it.
/// </summary>
public sealed class AgentStepContent(AgentStep step) : AIContent
{
    /// <summary>The step, as the run recorded it.</summary>
    public AgentStep Step { get; } = step;
}
