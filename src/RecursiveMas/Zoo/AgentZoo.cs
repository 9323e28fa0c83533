using RecursiveMas.Dsl;
using RecursiveMas.Models;
using RecursiveMas.Pretraining;
using RecursiveMas.Systems;
using RecursiveMas.Tasks;

namespace RecursiveMas.Zoo;

/// <summary>
/// The embedded default: three tiny heterogeneous agents pre-trained here from scratch, each on one
/// part of the arithmetic word problems (<see cref="ArithmeticWordProblems"/>): a Qwen3-style planner
/// (d=96) that turns the story into operations, a Qwen2-style critic (d=128, the widest and deepest)
/// that executes a plan step by step, and a Llama-style solver (d=96) that states the result in
/// <c>\boxed{}</c>. No agent is trained on the whole task: the critic and the solver always read their
/// sender's text in pre-training, so the system has to carry it. <see cref="Build"/> writes task splits,
/// SYSTEM.json and model directories; with the same seed and budget the bytes are the same on every
/// run when torch runs on one intra-op thread (as <c>rmas zoo</c> does).
/// </summary>
public static class AgentZoo
{
    /// <summary>Splits the zoo is trained and evaluated on; data lives in data/&lt;task&gt;/.</summary>
    public static IReadOnlyList<TaskKind> Tasks { get; } = [TaskKind.Arithmetic, TaskKind.ArithmeticLong];

    /// <summary>The SYSTEM.json file name.</summary>
    public const string SequentialFile = "sequential.SYSTEM.json";

    /// <summary>The agents and their architectures for <paramref name="budget"/>.</summary>
    public static IReadOnlyList<ZooAgent> Agents(ZooBudget budget) =>
    [
        Agent(TaskRoles.Planner, ModelFamily.Qwen3, 96, budget.Layers, budget, latentSteps: 24, stepShare: budget.PlannerStepShare),
        Agent(TaskRoles.Critic, ModelFamily.Qwen2, 128, budget.CriticLayers, budget, latentSteps: budget.CriticLatentSteps, stepShare: 1.0),
        Agent(TaskRoles.Solver, ModelFamily.Llama, 96, budget.SolverLayers, budget, latentSteps: 8, stepShare: 1.0),
    ];

    /// <summary>
    /// The agents of <paramref name="system"/> whose latent steps differ from <paramref name="budget"/>'s recipe, as
    /// "critic: m 56 in the file, 48 in the recipe". Link training reads m from the file (so a changed m can be tried
    /// without a rebuild); <c>rmas zoo --links-only</c> says so when they differ.
    /// </summary>
    public static IReadOnlyList<string> LatentStepsApartFromRecipe(SystemDescription system, ZooBudget budget) =>
        [.. Agents(budget)
            .Select(recipe => (recipe, file: system.Agents.FirstOrDefault(a => a.Name == recipe.Name)))
            .Where(p => p.file is not null && p.file.LatentSteps != p.recipe.LatentSteps)
            .Select(p => $"{p.recipe.Name}: m {p.file!.LatentSteps} in the file, {p.recipe.LatentSteps} in the recipe")];

    static ZooAgent Agent(string role, ModelFamily family, int hidden, int layers, ZooBudget budget, int latentSteps, double stepShare) =>
        new(role, $"models/{role}-{family.ToString().ToLowerInvariant()}-{hidden}", TinyDecoderShape.For(family, hidden, layers, budget.VocabSize),
            latentSteps, stepShare);

    // A link learns to speak into one prompt: these are what the links are trained with, word for word.
    const string PlannerFirst = "Give a plan for the question. Question: {question}";
    const string PlannerLater = "Question: {question} Feedback from the previous round: {feedback} Give a plan.";
    // Where rounds differ, the later rounds' planner must know which operations its round covers: the prompt says the round.
    const string PlannerLaterWindowed = "Round {round}. " + PlannerLater;
    const string Critic = "Question: {question} Plan: {from:planner} Carry out the plan step by step.";
    const string Solver = "Worked steps: {from:critic} Question: {question} Put the final answer in \\boxed{}.";

    static readonly DecodingDescription Decoding = new() { MaxNewTokens = 24, Temperature = 0 };

    /// <summary>Planner → critic → solver, feedback solver → planner.</summary>
    public static SystemDescription Sequential(ZooBudget budget)
    {
        var agents = Agents(budget).ToDictionary(a => a.Name);
        AgentDescription Describe(string name, params PromptDescription[] prompts) =>
            new() { Name = name, Model = agents[name].ModelFolder, LatentSteps = agents[name].LatentSteps, Prompts = prompts };
        return new()
        {
            Name = "ZooSequential",
            Rounds = 2,
            Pattern = new PatternDescription { Kind = CollaborationPattern.Sequential, Agents = [TaskRoles.Planner, TaskRoles.Critic, TaskRoles.Solver] },
            Agents =
            [
                Describe(TaskRoles.Planner, new PromptDescription(PromptUse.FirstRound, PlannerFirst),
                    new PromptDescription(PromptUse.LaterRounds, budget.OperationsPerRound is null ? PlannerLater : PlannerLaterWindowed)),
                Describe(TaskRoles.Critic, new PromptDescription(PromptUse.Always, Critic)),
                Describe(TaskRoles.Solver, new PromptDescription(PromptUse.Always, Solver)),
            ],
            LinksDirectory = "links/sequential",
            Decoding = Decoding,
            TextMessageTokens = budget.TextMessageTokens,
        };
    }

    /// <summary>
    /// How each agent's pre-training fills its message slots: the critic always reads a plan and the
    /// solver always reads worked steps (each learns its own step, never the whole task); the planner
    /// reads the solver's feedback half of the time (always where rounds differ: it plans from the value there).
    /// The solver never learns the single-agent prompt, and it
    /// reads with its own, shorter end-of-turn padding and no trailing fragments (<see cref="ZooBudget.SolverEndOfTurnPadding"/>).
    /// </summary>
    public static MessageFilling Filling(string agent, ZooBudget budget) => agent switch
    {
        TaskRoles.Planner => new MessageFilling
        {
            FeedbackOdds = budget.OperationsPerRound is null ? 0.5 : 1.0,
            SingleAgentPrompt = false,
            EndOfTurnPadding = budget.EndOfTurnPadding,
            TrailingFragmentOdds = budget.TrailingFragmentOdds,
            LastRoundOdds = budget.LastRoundOdds,
        },
        TaskRoles.Solver => new MessageFilling
        {
            ForwardOdds = 1.0,
            FeedbackOdds = 0.5,
            SingleAgentPrompt = false,
            EndOfTurnPadding = budget.SolverEndOfTurnPadding,
            LastRoundOdds = budget.LastRoundOdds,
        },
        _ => new MessageFilling
        {
            ForwardOdds = 1.0,
            FeedbackOdds = 0.5,
            SingleAgentPrompt = false,
            EndOfTurnPadding = budget.EndOfTurnPadding,
            TrailingFragmentOdds = budget.TrailingFragmentOdds,
            LastRoundOdds = budget.LastRoundOdds,
        },
    };

    /// <summary>
    /// Writes the zoo into <paramref name="directory"/>: data/&lt;task&gt;/{train,val,test}.jsonl, the SYSTEM.json
    /// file and the three model directories.
    /// </summary>
    /// <param name="only">Pre-train only these agents (the others' folders are left as they are); null = all.
    /// Each agent's weights depend only on the seed, the data and its own recipe, so one agent rebuilt alone
    /// comes out as it does in a full build.</param>
    public static IReadOnlyDictionary<string, PretrainingReport> Build(string directory, long seed, ZooBudget budget,
        Action<string, PretrainingProgress>? onProgress = null, CancellationToken cancellationToken = default,
        IReadOnlyCollection<string>? only = null)
    {
        Directory.CreateDirectory(directory);
        var standard = TaskSplits.Generate(TaskKind.Arithmetic, seed, budget.TrainPerTask, budget.ValidationPerTask, budget.TestPerTask, budget.OperationsPerRound);
        // Training examples are drawn after test and validation, so the first TrainLong are the same however many follow.
        var longChains = TaskSplits.Generate(TaskKind.ArithmeticLong, seed + 1000, Math.Max(budget.TrainLong, budget.PlannerTrainLong ?? 0),
            budget.ValidationPerTask, budget.TestPerTask, budget.OperationsPerRound);
        standard.Write(Path.Combine(directory, "data", TaskKind.Arithmetic.Name()));
        longChains.Write(Path.Combine(directory, "data", TaskKind.ArithmeticLong.Name()));
        var mixed = Interleave(standard.Train, [.. longChains.Train.Take(budget.TrainLong)]);
        var plannerMixed = budget.PlannerTrainLong is null ? mixed : Interleave(standard.Train, longChains.Train);
        var system = Sequential(budget);
        system.Save(Path.Combine(directory, SequentialFile));

        // One agent after another on the calling thread: TorchSharp's implicit scalars and dispose scopes
        // are not safe to drive from several threads at once (seen: "Unknown scalar type" mid-training).
        var agents = Agents(budget);
        if (only?.FirstOrDefault(name => agents.All(a => a.Name != name)) is string unknown)
            throw new ArgumentException($"the zoo has no agent {unknown}; its agents are {string.Join(", ", agents.Select(a => a.Name))}", nameof(only));
        var reports = new Dictionary<string, PretrainingReport>();
        for (int i = 0; i < agents.Count; i++)
        {
            var agent = agents[i];
            if (only is not null && !only.Contains(agent.Name))
                continue;
            var options = new PretrainingOptions
            {
                Steps = Math.Max(1, (int)Math.Round(budget.Steps * agent.StepShare)),
                BatchSize = budget.BatchSize,
                LearningRate = budget.LearningRate,
                WarmupSteps = Math.Min(100, budget.Steps / 10),
                DigitsApart = true,
                Messages = Filling(agent.Name, budget),
                NoisyShare = budget.NoisyShare,
                NoiseScale = budget.NoiseScale,
                Seed = seed + 17 * (i + 1),
                OnProgress = onProgress is null ? null : p => onProgress(agent.Name, p),
            };
            reports[agent.Name] = AgentPretraining.Pretrain([system], agent.Name, agent.Name == TaskRoles.Planner ? plannerMixed : mixed, agent.Shape, Path.Combine(directory, agent.ModelFolder), options, cancellationToken);
        }
        return reports;
    }

    /// <summary>The long chains spread evenly through the standard ones, so every stretch of training sees both.</summary>
    static List<TaskExample> Interleave(IReadOnlyList<TaskExample> standard, IReadOnlyList<TaskExample> longChains)
    {
        var mixed = new List<TaskExample>(standard.Count + longChains.Count);
        int next = 0;
        for (int i = 0; i < standard.Count; i++)
        {
            mixed.Add(standard[i]);
            while (next < longChains.Count && (long)(next + 1) * standard.Count <= (long)(i + 1) * longChains.Count)
                mixed.Add(longChains[next++]);
        }
        mixed.AddRange(longChains.Skip(next));
        return mixed;
    }
}
