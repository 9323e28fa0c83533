using RecursiveMas.Dsl;
using RecursiveMas.Models;
using RecursiveMas.Pretraining;
using RecursiveMas.Systems;
using RecursiveMas.Tasks;

namespace RecursiveMas.Zoo;

/// <summary>
/// The embedded default: three tiny heterogeneous agents (Qwen3-style d=96 planner, Qwen2-style d=160
/// critic, Llama-style d=128 solver) pre-trained here on the synthetic tasks, and two systems over them —
/// Sequential (planner → critic → solver) and Distillation (critic → solver). <see cref="Build"/> writes
/// task splits, SYSTEM.json files and model directories; with the same seed and budget the bytes are the
/// same on every run when torch runs on one intra-op thread (as <c>rmas zoo</c> does).
/// </summary>
public static class AgentZoo
{
    /// <summary>Tasks the zoo is trained and evaluated on; data lives in data/&lt;task&gt;/.</summary>
    public static IReadOnlyList<TaskKind> Tasks { get; } = [TaskKind.Arithmetic, TaskKind.Reachability];

    /// <summary>The SYSTEM.json file names.</summary>
    public const string SequentialFile = "sequential.SYSTEM.json", DistillationFile = "distillation.SYSTEM.json";

    /// <summary>The agents and their architectures for <paramref name="budget"/>.</summary>
    public static IReadOnlyList<ZooAgent> Agents(ZooBudget budget) =>
    [
        new(TaskRoles.Planner, "models/planner-qwen3-96", TinyDecoderShape.For(ModelFamily.Qwen3, 96, budget.Layers, budget.VocabSize)),
        new(TaskRoles.Critic, "models/critic-qwen2-160", TinyDecoderShape.For(ModelFamily.Qwen2, 160, budget.Layers, budget.VocabSize)),
        new(TaskRoles.Solver, "models/solver-llama-128", TinyDecoderShape.For(ModelFamily.Llama, 128, budget.Layers, budget.VocabSize)),
    ];

    const string PlannerFirst = "Give a plan for the question. Question: {question}";
    const string PlannerLater = "Question: {question} Feedback from the previous round: {feedback} Give a plan.";
    const string CriticSequential = "Question: {question} Initial plan: {from:planner} Refine the plan.";
    const string CriticFirst = "Question: {question} Give a refined plan.";
    const string CriticLater = "Question: {question} Feedback from the previous round: {feedback} Give a refined plan.";
    const string Solver = "Refined plan: {from:critic} Question: {question} Put the final answer in \\boxed{}.";

    static readonly DecodingDescription Decoding = new() { MaxNewTokens = 72, Temperature = 0 };

    static AgentDescription Agent(string name, string model, params PromptDescription[] prompts) =>
        new() { Name = name, Model = model, LatentSteps = 8, Prompts = prompts };

    /// <summary>Planner → critic → solver, feedback solver → planner.</summary>
    public static SystemDescription Sequential(ZooBudget budget) => new()
    {
        Name = "ZooSequential",
        Rounds = 2,
        Pattern = new PatternDescription { Kind = CollaborationPattern.Sequential, Agents = [TaskRoles.Planner, TaskRoles.Critic, TaskRoles.Solver] },
        Agents =
        [
            Agent(TaskRoles.Planner, Folder(budget, TaskRoles.Planner), new PromptDescription(PromptUse.FirstRound, PlannerFirst), new PromptDescription(PromptUse.LaterRounds, PlannerLater)),
            Agent(TaskRoles.Critic, Folder(budget, TaskRoles.Critic), new PromptDescription(PromptUse.Always, CriticSequential)),
            Agent(TaskRoles.Solver, Folder(budget, TaskRoles.Solver), new PromptDescription(PromptUse.Always, Solver)),
        ],
        LinksDirectory = "links/sequential",
        Decoding = Decoding,
        TextMessageTokens = budget.TextMessageTokens,
    };

    /// <summary>Critic (expert) → solver (learner), feedback solver → critic.</summary>
    public static SystemDescription Distillation(ZooBudget budget) => new()
    {
        Name = "ZooDistillation",
        Rounds = 2,
        Pattern = new PatternDescription { Kind = CollaborationPattern.Distillation, Agents = [TaskRoles.Critic, TaskRoles.Solver] },
        Agents =
        [
            Agent(TaskRoles.Critic, Folder(budget, TaskRoles.Critic), new PromptDescription(PromptUse.FirstRound, CriticFirst), new PromptDescription(PromptUse.LaterRounds, CriticLater)),
            Agent(TaskRoles.Solver, Folder(budget, TaskRoles.Solver), new PromptDescription(PromptUse.Always, Solver)),
        ],
        LinksDirectory = "links/distillation",
        Decoding = Decoding,
        TextMessageTokens = budget.TextMessageTokens,
    };

    static string Folder(ZooBudget budget, string agent) => Agents(budget).Single(a => a.Name == agent).ModelFolder;

    /// <summary>
    /// Writes the zoo into <paramref name="directory"/>: data/&lt;task&gt;/{train,val,test}.jsonl, both SYSTEM.json
    /// files and the three model directories.
    /// </summary>
    public static IReadOnlyDictionary<string, PretrainingReport> Build(string directory, long seed, ZooBudget budget,
        Action<string, PretrainingProgress>? onProgress = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        var train = new List<TaskExample>();
        foreach (var (kind, index) in Tasks.Select((k, i) => (k, i)))
        {
            var splits = TaskSplits.Generate(kind, seed + 1000 * index, budget.TrainPerTask, budget.ValidationPerTask, budget.TestPerTask);
            splits.Write(Path.Combine(directory, "data", kind.Name()));
            train.AddRange(splits.Train);
        }
        // Interleave the tasks so every batch sees both.
        var mixed = Interleave(train, budget.TrainPerTask, Tasks.Count);
        var systems = new[] { Sequential(budget), Distillation(budget) };
        foreach (var (system, file) in systems.Zip([SequentialFile, DistillationFile]))
            system.Save(Path.Combine(directory, file));

        // One agent after another on the calling thread: TorchSharp's implicit scalars and dispose scopes
        // are not safe to drive from several threads at once (seen: "Unknown scalar type" mid-training).
        var agents = Agents(budget);
        var reports = new PretrainingReport[agents.Count];
        for (int i = 0; i < agents.Count; i++)
        {
            var agent = agents[i];
            var options = new PretrainingOptions
            {
                Steps = budget.Steps,
                BatchSize = budget.BatchSize,
                Seed = seed + 17 * (i + 1),
                OnProgress = onProgress is null ? null : p => onProgress(agent.Name, p),
            };
            reports[i] = AgentPretraining.Pretrain(systems, agent.Name, mixed, agent.Shape, Path.Combine(directory, agent.ModelFolder), options, cancellationToken);
        }
        return agents.Select((a, i) => (a.Name, reports[i])).ToDictionary(p => p.Name, p => p.Item2);
    }

    static List<TaskExample> Interleave(List<TaskExample> byTask, int perTask, int tasks)
    {
        var mixed = new List<TaskExample>(byTask.Count);
        for (int i = 0; i < perTask; i++)
            for (int t = 0; t < tasks; t++)
                mixed.Add(byTask[t * perTask + i]);
        return mixed;
    }
}
