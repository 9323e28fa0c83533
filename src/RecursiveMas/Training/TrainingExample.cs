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

    /// <summary>
    /// Target texts of rounds 2, 3, … where an agent's part changes by round (JSONL <c>"later_rounds"</c>);
    /// a round past the list reads its last entry. Empty = <see cref="RoleTargets"/> in every round.
    /// </summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> LaterRoundTargets { get; init; } = [];

    /// <summary>The role targets of <paramref name="round"/> (1-based).</summary>
    internal IReadOnlyDictionary<string, string> TargetsIn(int round) => IO.RoleTextsJson.InRound(RoleTargets, LaterRoundTargets, round);

    /// <summary>The target text of <paramref name="agent"/> in <paramref name="round"/>; the decoder falls back to <see cref="Answer"/>.</summary>
    internal string? TargetOf(string agent, string decoder, int round = 1) =>
        TargetsIn(round).TryGetValue(agent, out var target) ? target : agent == decoder ? Answer : null;

    /// <summary>
    /// What the decoder is scored on when it answers in <paramref name="round"/>: <see cref="Answer"/>,
    /// unless the rounds' targets give the decoder a text of that round (what it can know by then).
    /// </summary>
    internal string AnswerIn(int round, string decoder) =>
        LaterRoundTargets.Count > 0 && TargetsIn(round).TryGetValue(decoder, out var target) ? target : Answer;

    internal string Describe(int index) => Source ?? $"example {index + 1}";
}
