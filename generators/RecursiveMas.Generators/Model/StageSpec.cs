using RecursiveMas.Dsl;

namespace RecursiveMas.Generators.Model;

/// <summary>
/// One stage of one agent (round 1's rollout, the later rounds' rollouts, or the final decode) with
/// the prompt it reads and that prompt's message slots, in the order the runtime's positional
/// <c>Think</c>/<c>Decode</c> take them. The emitter gives each stage a method whose parameters are
/// the slots' typed messages, so a message for another agent does not compile.
/// </summary>
/// <param name="Agent">The agent: an index into <see cref="SystemGenerationSpec.Agents"/>.</param>
/// <param name="Stage">Which stage (the first one that uses it, when round 1 and later rounds read the same prompt).</param>
/// <param name="PromptField">The field holding the stage's bound prompt (<c>_plannerFirstRound</c>).</param>
/// <param name="Method">The method that runs the stage (<c>ThinkPlannerFirstRound</c>, <c>DecodeSolver</c>).</param>
/// <param name="Slots">The prompt's message slots, distinct, in order of first appearance.</param>
/// <param name="EveryRound">Whether the stage's rollouts are all the agent's rollouts (one prompt for round 1 and later rounds).</param>
internal sealed record StageSpec(int Agent, PromptStage Stage, string PromptField, string Method, EquatableArray<SlotSpec> Slots, bool EveryRound);

/// <summary>A message slot of a prompt: <c>{from:Sender}</c> or <c>{feedback}</c>.</summary>
/// <param name="IsFeedback">Whether it is the loop-closing <c>{feedback}</c> slot.</param>
/// <param name="Sender">The sending agent's name.</param>
/// <param name="SenderType">The sending agent's <c>global::</c> type name.</param>
/// <param name="Parameter">The stage method's parameter name (<c>fromPlanner</c>, <c>feedback</c>).</param>
internal sealed record SlotSpec(bool IsFeedback, string Sender, string SenderType, string Parameter);
