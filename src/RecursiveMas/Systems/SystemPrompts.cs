using RecursiveMas.Latent;
using RecursiveMas.Tokenization;

namespace RecursiveMas.Systems;

/// <summary>
/// What one agent reads, without its model: its prompt per stage (its description's templates in its
/// tokenizer's chat format), its tokenizer, its latent steps and its model's context size.
/// </summary>
public sealed class AgentPrompts
{
    /// <param name="maxPositions">The agent's model's <c>max_position_embeddings</c>.</param>
    public AgentPrompts(AgentDescription description, ModelTokenizer tokenizer, int maxPositions)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(tokenizer);
        Description = description;
        Tokenizer = tokenizer;
        MaxPositions = maxPositions;
        AgentPrompt? Of(PromptUse use) => description.Prompts.FirstOrDefault(p => p.Use == use) is { } p
            ? new AgentPrompt(p.Template, tokenizer.ChatTemplate, description.SystemPrompt)
            : null;
        var always = Of(PromptUse.Always);
        FirstRoundPrompt = Of(PromptUse.FirstRound) ?? always;
        LaterRoundsPrompt = Of(PromptUse.LaterRounds) ?? always;
        ExplicitDecodePrompt = Of(PromptUse.Decode);
    }

    public AgentDescription Description { get; }

    public string Name => Description.Name;

    public ModelTokenizer Tokenizer { get; }

    public int LatentSteps => Description.LatentSteps;

    /// <summary>The agent's model's <c>max_position_embeddings</c>: every position one of its turns may hold.</summary>
    public int MaxPositions { get; }

    /// <summary>The prompt of round 1 (FirstRound, else Always).</summary>
    public AgentPrompt? FirstRoundPrompt { get; }

    /// <summary>The prompt of rounds 2..n (LaterRounds, else Always).</summary>
    public AgentPrompt? LaterRoundsPrompt { get; }

    AgentPrompt? ExplicitDecodePrompt { get; }

    /// <summary>The prompt the agent reads in <paramref name="round"/> (1-based, its <c>{round}</c> filled), or for the final decode.</summary>
    public AgentPrompt PromptFor(int round, bool decode) => TemplateFor(round, decode).ForRound(round);

    /// <summary>
    /// <see cref="PromptFor"/> with its <c>{round}</c> still to fill: what code that reads one prompt in several rounds
    /// binds once (generated systems; <see cref="RunContext"/> fills the round it runs).
    /// </summary>
    public AgentPrompt TemplateFor(int round, bool decode)
    {
        var prompt = decode ? ExplicitDecodePrompt ?? (round == 1 ? FirstRoundPrompt : LaterRoundsPrompt)
            : round == 1 ? FirstRoundPrompt : LaterRoundsPrompt;
        return prompt ?? throw new InvalidOperationException(
            $"agent {Name} has no prompt for {(decode ? "the final decode" : round == 1 ? "round 1" : "rounds after the first")}");
    }
}

/// <summary>
/// A system as <see cref="RunAdmission"/> checks requests against it: its description, plan and agents'
/// <see cref="AgentPrompts"/>, no model. A loaded system has them (<see cref="RecursiveSystem.Prompts"/>);
/// <see cref="Load"/> reads them from the SYSTEM.json, each agent's tokenizer and config.json alone — what a
/// client of a cluster checks a question against before any silo runs it.
/// </summary>
public sealed class SystemPrompts
{
    internal SystemPrompts(SystemDescription description, SystemPlan plan, IReadOnlyList<AgentPrompts> agents)
    {
        Description = description;
        Plan = plan;
        Agents = agents;
    }

    public SystemDescription Description { get; }

    public SystemPlan Plan { get; }

    /// <summary>Agents in description order (a part of a system: those loaded).</summary>
    public IReadOnlyList<AgentPrompts> Agents { get; }

    /// <summary>
    /// What <see cref="Load"/> did to the agents' model folders, as <see cref="RecursiveSystem.ModelRecoveries"/> says it for
    /// a system load: each replacement of such a folder that a process was ended in, finished (<see cref="Models.ModelConfig.FolderRecovery"/>).
    /// A later load of the same folders has nothing to say, so a caller that reads the prompts first (<c>rmas eval</c>) hears it
    /// here or nowhere. Empty when none, and for a loaded system's <see cref="RecursiveSystem.Prompts"/>.
    /// </summary>
    public IReadOnlyList<string> ModelRecoveries { get; private init; } = [];

    /// <summary>The agent called <paramref name="name"/>.</summary>
    public AgentPrompts Agent(string name) =>
        Agents.FirstOrDefault(a => a.Name == name) ?? throw MissingAgent(Description, name, Agents.Select(a => a.Name));

    /// <summary>Why <paramref name="name"/> is not among the <paramref name="loaded"/> agents of <paramref name="description"/>.</summary>
    internal static KeyNotFoundException MissingAgent(SystemDescription description, string name, IEnumerable<string> loaded) =>
        new(description.Agents.Any(a => a.Name == name)
            ? $"agent {name} of system {description.Name} is not loaded here (loaded: {string.Join(", ", loaded)})"
            : $"system {description.Name} has no agent {name}");

    /// <summary>
    /// Every agent's prompts, from its model folder's tokenizer files and config.json, found as
    /// <see cref="RecursiveSystem.Load(SystemDescription, SystemLoadOptions?)"/> finds them (<see cref="SystemLoadOptions.ModelRoot"/>,
    /// <see cref="SystemLoadOptions.ModelOverrides"/>); no weights or links are read. Agents on one folder share its tokenizer.
    /// </summary>
    /// <exception cref="ModelFileException">A model folder, tokenizer file or config.json is missing or malformed.</exception>
    public static SystemPrompts Load(SystemDescription description, SystemLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(description);
        var (_, directories, configs, plan) = RecursiveSystem.Resolve(description, options ?? new SystemLoadOptions());
        var tokenizers = new Dictionary<string, ModelTokenizer>(StringComparer.Ordinal);
        var agents = description.Agents.Select(a =>
        {
            string directory = directories[a.Name];
            if (!tokenizers.TryGetValue(directory, out var tokenizer))
                tokenizers[directory] = tokenizer = ModelTokenizer.Load(directory);
            return new AgentPrompts(a, tokenizer, configs[a.Name].MaxPositionEmbeddings);
        }).ToList();
        return new SystemPrompts(description, plan, agents) { ModelRecoveries = [.. configs.Values.Select(c => c.FolderRecovery).OfType<string>()] };
    }
}
