namespace RecursiveMas.Dsl;

/// <summary>
/// One directed edge of a system's graph: an outer link that carries <see cref="From"/>'s latent
/// message into <see cref="To"/>'s embedding space.
/// </summary>
/// <param name="From">The sending agent's full name.</param>
/// <param name="To">The receiving agent's full name.</param>
/// <param name="IsFeedback">
/// Whether the edge closes the loop: its message, produced in round r, is read in round r + 1 through
/// <c>{feedback}</c>. A forward edge's message is read in the same round through <c>{from:Sender}</c>.
/// </param>
/// <param name="LinkIndex">For a custom graph, the index of the <c>[Link]</c> in <see cref="SystemSpec.Links"/>; -1 for the built-in patterns.</param>
internal sealed record EdgeSpec(string From, string To, bool IsFeedback, int LinkIndex = -1);
