namespace RecursiveMas.Hub;

/// <summary>One Hub repository of a preset: the role it plays in the system and its id.</summary>
/// <param name="Role">The agent's role (planner, critic, …) or <c>outer</c> for the repository of outer links.</param>
public sealed record HubPresetRepo(string Role, string RepoId);

/// <summary>
/// The released RecursiveMAS systems (PAPER §1.2, the official README's checkpoint tables), each the
/// list of Hub repositories its agents and outer links live in, so <c>rmas pull sequential-light</c>
/// fetches a whole system. Agent repositories carry the frozen model and its inner link; the
/// <c>*-Outerlinks</c> repositories carry the outer links.
/// This table is the one place a preset name maps to repositories: the presets of
/// <c>rmas systems</c>/<c>rmas init</c> can take their repository lists from <see cref="Find"/>, or
/// replace the table, without changing <c>rmas pull</c>.
/// </summary>
public static class HubPresetRepos
{
    static readonly (string Name, (string Role, string Repo)[] Repos)[] Table =
    [
        ("sequential-light", [
            ("planner", "RecursiveMAS/Sequential-Light-Planner-Qwen3-1.7B"),
            ("critic", "RecursiveMAS/Sequential-Light-Critic-Llama3.2-1B"),
            ("solver", "RecursiveMAS/Sequential-Light-Solver-Qwen2.5-Math-1.5B"),
            ("outer", "RecursiveMAS/Sequential-Light-Outerlinks"),
        ]),
        ("sequential-scaled", [
            ("planner", "RecursiveMAS/Sequential-Scaled-Planner-Gemma3-4B"),
            ("critic", "RecursiveMAS/Sequential-Scaled-Critic-Llama3.2-3B"),
            ("solver", "RecursiveMAS/Sequential-Scaled-Solver-Qwen3.5-4B"),
            ("outer", "RecursiveMAS/Sequential-Scaled-Outerlinks"),
        ]),
        ("mixture", [
            ("math", "RecursiveMAS/Mixture-Math-DeepSeek-R1-Distill-Qwen-1.5B"),
            ("code", "RecursiveMAS/Mixture-Code-Qwen2.5-Coder-3B"),
            ("science", "RecursiveMAS/Mixture-Science-BioMistral-7B"),
            ("summarizer", "RecursiveMAS/Mixture-Summarizer-Qwen3.5-2B"),
            ("outer", "RecursiveMAS/Mixture-Outerlinks"),
        ]),
        ("distillation", [
            ("expert", "RecursiveMAS/Distillation-Expert-Qwen3.5-9B"),
            ("learner", "RecursiveMAS/Distillation-Learner-Qwen3.5-4B"),
            ("outer", "RecursiveMAS/Distillation-Outerlinks"),
        ]),
        ("deliberation", [
            ("reflector", "RecursiveMAS/Deliberation-Reflector-Qwen3.5-4B"),
            ("toolcaller", "RecursiveMAS/Deliberation-Toolcaller-Qwen3.5-4B"),
            ("outer", "RecursiveMAS/Deliberation-Outerlinks"),
        ]),
    ];

    /// <summary>The preset names, in the paper's order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Table.Select(p => p.Name)];

    /// <summary>
    /// The repositories of preset <paramref name="name"/> (case-insensitive; the official code's
    /// <c>sequential_light</c> spelling works too), or null when there is no such preset.
    /// </summary>
    public static IReadOnlyList<HubPresetRepo>? Find(string name)
    {
        string key = name.Trim().Replace('_', '-').ToLowerInvariant();
        foreach (var (preset, repos) in Table)
        {
            if (preset == key)
                return [.. repos.Select(r => new HubPresetRepo(r.Role, r.Repo))];
        }
        return null;
    }
}
