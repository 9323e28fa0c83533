using RecursiveMas.Presets;

namespace RecursiveMas.Hub;

/// <summary>One Hub repository of a preset: the role it plays in the system and its id.</summary>
/// <param name="Role">The agent's role (planner, critic, …) or <c>outer</c> for the repository of outer links.</param>
public sealed record HubPresetRepo(string Role, string RepoId);

/// <summary>
/// The Hub repositories of each released RecursiveMAS system, so <c>rmas pull sequential-light</c>
/// fetches a whole system: its agents' repositories (the frozen model and its inner link) and its
/// <c>*-Outerlinks</c> repository. They come from <see cref="PaperPresets"/>, the one table of the released
/// systems, so <c>rmas pull PRESET --to DIR/models</c> fetches exactly the folders <c>rmas init PRESET --out DIR</c> names.
/// </summary>
public static class HubPresetRepos
{
    /// <summary>The preset names (lower case), in the paper's order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. PaperPresets.All.Select(p => p.Name.ToLowerInvariant())];

    /// <summary>
    /// The repositories of preset <paramref name="name"/> (case-insensitive; the official code's
    /// <c>sequential_light</c> spelling works too), or null when there is no such preset.
    /// </summary>
    public static IReadOnlyList<HubPresetRepo>? Find(string name)
    {
        string key = name.Trim().Replace('_', '-');
        var preset = PaperPresets.All.FirstOrDefault(p => string.Equals(p.Name, key, StringComparison.OrdinalIgnoreCase));
        return preset is null ? null
            : [.. preset.Agents.Select(a => new HubPresetRepo(a.Role.ToLowerInvariant(), a.RepoId)), new HubPresetRepo("outer", preset.OuterRepoId)];
    }
}
