using RecursiveMas.Systems;
using static RecursiveMas.Presets.PaperPrompts;

namespace RecursiveMas.Presets;

/// <summary>
/// The five systems the RecursiveMAS authors released (PAPER §1.2, Table 1; repositories from [M]
/// load_from_repo.py; link keys from [M] system_loader.py), as data. Everything here is stated in PAPER.md
/// or the release; what is not is null or listed in <see cref="PaperPreset.Notes"/>.
/// </summary>
/// <remarks>
/// <para><b>Folder convention</b> (shared with <c>rmas pull</c>): the Hub repository <c>OWNER/NAME</c> lives
/// in <c>models/NAME</c> next to the SYSTEM.json, agents' repositories and the outer-links repository alike.</para>
/// <para>Latent steps: the release's recommended m for MATH500 where it has one (Sequential-Light 48,
/// Sequential-Scaled 32; PAPER §7.1), else run.py's default <c>--latent_length 32</c>. Rounds: run.py's
/// default 3, the rounds the released links were trained with (PAPER §10.13). Decoding: run.py's sampling
/// (temperature 0.6, top-p 0.95, model-default top-k, seed 42, the boxed-answer retry of 16 tokens) with
/// MATH500's token budget (1000 for Sequential-Light, 2000 otherwise).</para>
/// </remarks>
public static class PaperPresets
{
    /// <summary>The folder, relative to SYSTEM.json, that holds the downloaded Hub repositories.</summary>
    public const string ModelsFolder = "models";

    /// <summary>The Hugging Face organisation of the release.</summary>
    public const string Organisation = "RecursiveMAS";

    /// <summary><c>models/NAME</c> for the Hub repository <c>OWNER/NAME</c>.</summary>
    public static string ModelFolder(string repoId)
    {
        ArgumentException.ThrowIfNullOrEmpty(repoId);
        int slash = repoId.LastIndexOf('/');
        return ModelsFolder + "/" + repoId[(slash + 1)..];
    }

    static string Repo(string name) => Organisation + "/" + name;

    static DecodingDescription Sampling(int maxNewTokens) => new()
    {
        MaxNewTokens = maxNewTokens,
        Temperature = 0.6,
        TopP = 0.95,
        TopK = 0,
        Seed = 42,
        RetryWithoutBoxedAnswer = true,
        RetryTokens = 16,
    };

    static PromptDescription First(string t) => new(PromptUse.FirstRound, t);
    static PromptDescription Later(string t) => new(PromptUse.LaterRounds, t);
    static PromptDescription Always(string t) => new(PromptUse.Always, t);

    const string OuterFileNote =
        "outer-link file names come from the outer repository's outerlink_config.json (PAPER.md gives only the keys); KEY.pt is assumed without one";

    static readonly PresetOuterLink[] SequentialOuter =
    [
        new("outer_12", "Planner", "Critic"),
        new("outer_23", "Critic", "Solver"),
        new("outer_31", "Solver", "Planner"),
    ];

    static PresetAgent[] SequentialAgents(
        (string Base, string Family, string Repo, int Hidden) planner,
        (string Base, string Family, string Repo, int Hidden) critic,
        (string Base, string Family, string Repo, int Hidden) solver,
        int latentSteps) =>
    [
        new("Planner", "planner", planner.Base, planner.Family, Repo(planner.Repo), planner.Hidden, null, latentSteps,
            [First(SequentialPlanner), Later(SequentialPlannerWithFeedback)]),
        new("Critic", "critic", critic.Base, critic.Family, Repo(critic.Repo), critic.Hidden, null, latentSteps, [Always(SequentialCritic)]),
        new("Solver", "solver", solver.Base, solver.Family, Repo(solver.Repo), solver.Hidden, null, latentSteps, [Always(SequentialSolver)]),
    ];

    /// <summary>Sequential-Light: Qwen3-1.7B planner → Llama-3.2-1B critic → Qwen2.5-Math-1.5B solver.</summary>
    public static readonly PaperPreset SequentialLight = new(
        "Sequential-Light", "sequential_light", CollaborationPattern.Sequential,
        SequentialAgents(
            ("Qwen3-1.7B", "qwen3", "Sequential-Light-Planner-Qwen3-1.7B", 2048),
            ("Llama-3.2-1B-Instruct", "llama", "Sequential-Light-Critic-Llama3.2-1B", 2048),
            ("Qwen2.5-Math-1.5B-Instruct", "qwen2", "Sequential-Light-Solver-Qwen2.5-Math-1.5B", 1536),
            latentSteps: 48),
        Repo("Sequential-Light-Outerlinks"), SequentialOuter, TaskScopedLinks: true, PaperPrompts.SystemPrompt, Rounds: 3, Sampling(1000),
        [OuterFileNote, "math links and prompts only; the release's code links (adapter(code).pt) and code prompts (MBPP+) are not part of the preset"]);

    /// <summary>Sequential-Scaled: Gemma3-4B-it planner → Llama-3.2-3B critic → Qwen3.5-4B solver.</summary>
    public static readonly PaperPreset SequentialScaled = new(
        "Sequential-Scaled", "sequential_scaled", CollaborationPattern.Sequential,
        SequentialAgents(
            ("Gemma3-4B-it", "gemma3", "Sequential-Scaled-Planner-Gemma3-4B", 2560),
            ("Llama-3.2-3B-Instruct", "llama", "Sequential-Scaled-Critic-Llama3.2-3B", 3072),
            ("Qwen3.5-4B", "qwen3_5", "Sequential-Scaled-Solver-Qwen3.5-4B", 2560),
            latentSteps: 32),
        Repo("Sequential-Scaled-Outerlinks"), SequentialOuter, TaskScopedLinks: true, PaperPrompts.SystemPrompt, Rounds: 3, Sampling(2000),
        [OuterFileNote, "math links and prompts only; the release's code links (adapter(code).pt) and code prompts (MBPP+) are not part of the preset",
         "Gemma3 and Qwen3.5 are multimodal checkpoints: their config.json nests the language model in text_config, and only the language model is loaded"]);

    /// <summary>Mixture: math, code and science specialists in parallel → Qwen3.5-2B summarizer, which broadcasts feedback back.</summary>
    public static readonly PaperPreset Mixture = new(
        "Mixture", "mixture", CollaborationPattern.Mixture,
        [
            new("Summarizer", "summarizer", "Qwen3.5-2B", "qwen3_5", Repo("Mixture-Summarizer-Qwen3.5-2B"), 2048,
                "derived in PAPER.md from the released outer-link file sizes (computed), not stated by the paper", 32, [Always(MixtureSummarizer)]),
            new("Math", "math", "DeepSeek-R1-Distill-Qwen-1.5B", "qwen2", Repo("Mixture-Math-DeepSeek-R1-Distill-Qwen-1.5B"), 1536, null, 32,
                [First(MixtureMath), Later(MixtureMathWithFeedback)]),
            new("Code", "code", "Qwen2.5-Coder-3B-Instruct", "qwen2", Repo("Mixture-Code-Qwen2.5-Coder-3B"), 2048, null, 32,
                [First(MixtureCode), Later(MixtureCodeWithFeedback)]),
            new("Science", "science", "BioMistral-7B", "mistral", Repo("Mixture-Science-BioMistral-7B"), 4096, null, 32,
                [First(MixtureScience), Later(MixtureScienceWithFeedback)]),
        ],
        Repo("Mixture-Outerlinks"),
        [
            new("outer_1s", "Math", "Summarizer"), new("outer_2s", "Code", "Summarizer"), new("outer_3s", "Science", "Summarizer"),
            new("outer_s1", "Summarizer", "Math"), new("outer_s2", "Summarizer", "Code"), new("outer_s3", "Summarizer", "Science"),
        ],
        TaskScopedLinks: false, PaperPrompts.SystemPrompt, Rounds: 3, Sampling(2000),
        [OuterFileNote, "the Summarizer's hidden size 2048 is derived from a file size, not stated; loading checks it against config.json"]);

    /// <summary>Distillation: Qwen3.5-9B expert → Qwen3.5-4B learner, feedback learner → expert.</summary>
    public static readonly PaperPreset Distillation = new(
        "Distillation", "distillation", CollaborationPattern.Distillation,
        [
            new("Expert", "expert", "Qwen3.5-9B", "qwen3_5", Repo("Distillation-Expert-Qwen3.5-9B"), null,
                "unknown: PAPER.md gives \"?\" for Qwen3.5-9B; read from the model's config.json when the system loads", 32,
                [First(DistillationExpert), Later(DistillationExpertWithFeedback)]),
            new("Learner", "learner", "Qwen3.5-4B", "qwen3_5", Repo("Distillation-Learner-Qwen3.5-4B"), 2560, null, 32, [Always(DistillationLearner)]),
        ],
        Repo("Distillation-Outerlinks"), [new("outer_el", "Expert", "Learner"), new("outer_le", "Learner", "Expert")],
        TaskScopedLinks: true, PaperPrompts.SystemPrompt, Rounds: 3, Sampling(2000),
        [OuterFileNote, "the Expert's hidden size (Qwen3.5-9B) is unknown: SYSTEM.json says 0, read from config.json at load",
         "math links and prompts only (the release also ships code links)"]);

    /// <summary>Deliberation: Qwen3.5-4B reflector → Qwen3.5-4B tool-caller (decodes with tools), feedback tool-caller → reflector.</summary>
    public static readonly PaperPreset Deliberation = new(
        "Deliberation", "deliberation", CollaborationPattern.Deliberation,
        [
            new("Reflector", "reflector", "Qwen3.5-4B", "qwen3_5", Repo("Deliberation-Reflector-Qwen3.5-4B"), 2560, null, 32,
                [First(DeliberationReflector), Later(DeliberationReflectorWithFeedback)]),
            new("ToolCaller", "toolcaller", "Qwen3.5-4B", "qwen3_5", Repo("Deliberation-Toolcaller-Qwen3.5-4B"), 2560, null, 32,
                [Always(DeliberationToolCaller)]),
        ],
        Repo("Deliberation-Outerlinks"), [new("outer_rt", "Reflector", "ToolCaller"), new("outer_tr", "ToolCaller", "Reflector")],
        TaskScopedLinks: false, DeliberationSystemPrompt, Rounds: 3, Sampling(2000),
        [OuterFileNote,
         "the release's tools are a Python interpreter and Tavily web search; this runtime offers <python> (a sandboxed local python3), <calculator> and, with toolCorpus set, <search> over a local corpus"]);

    /// <summary>The five presets in PAPER §1.2's order.</summary>
    public static IReadOnlyList<PaperPreset> All { get; } = [SequentialLight, SequentialScaled, Mixture, Distillation, Deliberation];

    /// <summary>
    /// The preset called <paramref name="name"/> (its name or the release's style, any case: <c>sequential-light</c>,
    /// <c>sequential_light</c>); an <see cref="ArgumentException"/> listing the valid names otherwise.
    /// </summary>
    public static PaperPreset Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)
                || string.Equals(p.Style, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"unknown preset \"{name}\"; the presets are {string.Join(", ", All.Select(p => p.Name))}");
    }
}
