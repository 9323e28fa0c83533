namespace RecursiveMas.Training;

/// <summary>
/// One training example (PAPER §4.1): a question, the ground-truth text each agent should produce
/// (keyed by agent name, as in SYSTEM.json — e.g. the Planner's plan, the Critic's refined plan), and
/// the answer the decoder is trained to write and is scored against.
/// </summary>
/// <param name="Question">Fills <c>{question}</c> in every agent's prompt.</param>
/// <param name="RoleTargets">Agent name → that agent's target text. The decoder without an entry is trained on <paramref name="Answer"/>.</param>
/// <param name="Answer">
/// The decoder's target text in the final round; at evaluation the reference answer (its <c>\boxed{}</c>
/// content when it has one, else the whole text).
/// </param>
public sealed record TrainingExample(string Question, IReadOnlyDictionary<string, string> RoleTargets, string Answer)
{
    /// <summary>Where the example came from (file:line), for error messages; null when built in code.</summary>
    public string? Source { get; init; }

    /// <summary>The target text of <paramref name="agent"/>; the decoder falls back to <see cref="Answer"/>.</summary>
    internal string? TargetOf(string agent, string decoder) =>
        RoleTargets.TryGetValue(agent, out var target) ? target : agent == decoder ? Answer : null;

    internal string Describe(int index) => Source ?? $"example {index + 1}";
}
