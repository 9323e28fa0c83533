using RecursiveMas.Dsl;

namespace RecursiveMas.Generators.Model;

/// <summary>
/// One turn of the unrolled run (the schedule's <see cref="TurnSpec"/> at compile time), with every
/// local it reads and writes already named, so the emitter only prints straight-line code.
/// </summary>
/// <param name="Round">1-based round.</param>
/// <param name="Agent">The agent's name.</param>
/// <param name="Stage">Index into <see cref="SystemGenerationSpec.Stages"/>.</param>
/// <param name="Sender">Index into <see cref="SystemGenerationSpec.Senders"/>; -1 for the final decode.</param>
/// <param name="Latent">The local holding the rollout's typed latents (<c>planner1</c>); empty for the final decode.</param>
/// <param name="Arguments">The locals passed to the stage's slots, in slot order (<c>plannerToCritic1</c>).</param>
/// <param name="Outputs">The locals receiving the sent messages, in the sender's edge order.</param>
internal sealed record TurnGenerationSpec(
    int Round,
    string Agent,
    int Stage,
    int Sender,
    string Latent,
    EquatableArray<string> Arguments,
    EquatableArray<string> Outputs);
