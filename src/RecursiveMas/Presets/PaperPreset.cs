using RecursiveMas.Systems;

namespace RecursiveMas.Presets;

/// <summary>
/// One agent of a released system: its role, its model and Hub repository, and what PAPER §1.2 says of
/// its hidden size.
/// </summary>
/// <param name="Name">The agent's name in SYSTEM.json and in link ids (<c>inner.Planner</c>).</param>
/// <param name="Role">The release's role key (<c>planner</c>, <c>toolcaller</c>, …).</param>
/// <param name="BaseModel">The base model the agent's repository holds (Table 1), e.g. <c>Qwen3-1.7B</c>.</param>
/// <param name="Family">This library's model family of that model (<c>config.json</c>'s architecture).</param>
/// <param name="RepoId">The agent's Hugging Face repository: the model weights with the inner link beside them.</param>
/// <param name="HiddenSize">d, when PAPER.md gives it; null where it says "?" (read from config.json at load).</param>
/// <param name="HiddenSizeNote">Where <paramref name="HiddenSize"/> comes from, or why it is unknown; null when Table 1 states it.</param>
/// <param name="LatentSteps">m, the latent thoughts per rollout.</param>
/// <param name="Prompts">The release's prompts for the agent (<see cref="PaperPrompts"/>).</param>
public sealed record PresetAgent(
    string Name,
    string Role,
    string BaseModel,
    string Family,
    string RepoId,
    int? HiddenSize,
    string? HiddenSizeNote,
    int LatentSteps,
    IReadOnlyList<PromptDescription> Prompts)
{
    /// <summary>The model folder <c>rmas init</c> writes: <c>models/&lt;repository name&gt;</c> (see <see cref="PaperPresets.ModelFolder"/>).</summary>
    public string ModelFolder => PaperPresets.ModelFolder(RepoId);
}

/// <summary>A released outer link: its file key and the edge it serves (PAPER §1.2, [M] system_loader.py).</summary>
public sealed record PresetOuterLink(string Key, string From, string To);

/// <summary>
/// One of the five systems the RecursiveMAS authors released (PAPER §1.2): agents, pattern, rounds,
/// prompts, decoding and where the release keeps its links. <see cref="ToDescription"/> turns it into a
/// SYSTEM.json whose models and links are where <c>rmas pull</c> puts the Hub repositories.
/// </summary>
/// <param name="Name">The preset's name, e.g. <c>Sequential-Light</c>.</param>
/// <param name="Style">The release's <c>run.py --style</c> value, e.g. <c>sequential_light</c>.</param>
/// <param name="Pattern">The collaboration pattern.</param>
/// <param name="Agents">Agents in the order of the pattern's arguments (see <see cref="PatternDescription"/>).</param>
/// <param name="OuterRepoId">The Hugging Face repository of the outer links.</param>
/// <param name="OuterLinks">Every outer link of the release, by file key.</param>
/// <param name="TaskScopedLinks">True when the release ships separate math and code links (Sequential, Distillation).</param>
/// <param name="SystemPrompt">The system message of every agent's chat prompt.</param>
/// <param name="Rounds">n: the release's default, the rounds its links were trained with.</param>
/// <param name="Decoding">The release's decoding settings for the math task.</param>
/// <param name="Notes">What the preset could not take from PAPER.md as stated, and what differs from the release.</param>
public sealed record PaperPreset(
    string Name,
    string Style,
    CollaborationPattern Pattern,
    IReadOnlyList<PresetAgent> Agents,
    string OuterRepoId,
    IReadOnlyList<PresetOuterLink> OuterLinks,
    bool TaskScopedLinks,
    string SystemPrompt,
    int Rounds,
    DecodingDescription Decoding,
    IReadOnlyList<string> Notes)
{
    /// <summary>The task whose links <see cref="ToDescription"/> maps for a task-scoped release: the prompts are the math ones.</summary>
    public const string LinkTask = "math";

    /// <summary>The agent that decodes the answer (the last agent of a sequence, else the summarizer, learner or tool-caller).</summary>
    public string Decoder => Pattern switch
    {
        CollaborationPattern.Sequential => Agents[^1].Name,
        CollaborationPattern.Mixture => Agents[0].Name,
        _ => Agents[1].Name,
    };

    /// <summary>The name SYSTEM.json carries: the preset's name without its hyphen (<c>SequentialLight</c>).</summary>
    public string SystemName => Name.Replace("-", "", StringComparison.Ordinal);

    /// <summary>Every Hub repository the system needs: the agents' and the outer links'.</summary>
    public IEnumerable<string> RepoIds => Agents.Select(a => a.RepoId).Append(OuterRepoId);

    /// <summary>The inner-link file of an agent's repository for <see cref="LinkTask"/>.</summary>
    public string InnerLinkFile => TaskScopedLinks ? $"adapter({LinkTask}).pt" : "adapter.pt";

    /// <summary>
    /// The preset as a SYSTEM.json description: agents with their roles, prompts, latent steps and declared
    /// hidden sizes (0 where unknown: read from config.json); models in <c>models/&lt;repository name&gt;</c>
    /// relative to the file; the release's link files mapped (<see cref="ReleasedLinksDescription"/>), so they
    /// are imported when the repositories are there; links this library trains or saves go to <c>links/</c>.
    /// </summary>
    public SystemDescription ToDescription() => new()
    {
        Name = SystemName,
        Rounds = Rounds,
        Pattern = new PatternDescription { Kind = Pattern, Agents = Agents.Select(a => a.Name).ToList() },
        Agents = Agents.Select(a => new AgentDescription
        {
            Name = a.Name,
            Model = a.ModelFolder,
            HiddenSize = a.HiddenSize ?? 0,
            LatentSteps = a.LatentSteps,
            Role = a.Role,
            SystemPrompt = SystemPrompt,
            Prompts = a.Prompts,
        }).ToList(),
        ModelRoot = ".",
        LinksDirectory = "links",
        Decoding = Decoding,
        ReleasedLinks = new ReleasedLinksDescription(
            TaskScopedLinks ? LinkTask : null,
            Agents.Select(a => new ReleasedInnerLink(a.Name, a.ModelFolder)).ToList(),
            PaperPresets.ModelFolder(OuterRepoId),
            OuterLinks.Select(l => new ReleasedOuterLink(l.Key, l.From, l.To)).ToList()),
    };
}
