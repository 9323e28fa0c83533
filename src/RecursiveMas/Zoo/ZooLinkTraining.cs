using RecursiveMas.Systems;
using RecursiveMas.Tasks;
using RecursiveMas.Training;

namespace RecursiveMas.Zoo;

/// <summary>
/// Trains the links of the zoo's system with <see cref="LinkTrainer"/> and writes them into its links
/// folder, beside the models: the inner loop (teacher-forced, with the senders' texts in the slots and a
/// token loss), a second inner stage adding latent consistency, a token-alignment warm start of every outer
/// link (<see cref="OuterLinkAlignment"/>), then the outer loop on the budget's message source (rollouts,
/// detached, every receiver's role text scored, by default) with the earlier round's decoder loss weighted
/// in, so one round alone also answers. Where rounds differ (<see cref="ZooBudget.OperationsPerRound"/>) the outer
/// loop trains round 1 only and a last stage trains the feedback link alone on round 2 (<see cref="TrainingOptions.OuterLinks"/>).
/// examples/zoo/README.md says why each departs from the release.
/// The solver's target is its role text (the boxed result); the held-out questions of both splits are
/// scored along the way so the log has accuracy next to loss.
/// </summary>
public static class ZooLinkTraining
{
    /// <summary>
    /// Trains and saves the links in <paramref name="directory"/>; returns each stage's report. With
    /// <paramref name="logDirectory"/>, each stage writes its step log (loss, held-out accuracy, per-round
    /// gradient norms of every outer link) to <c>inner/</c>, <c>consistency/</c> and <c>outer/train-log.jsonl</c> there.
    /// </summary>
    /// <param name="keepInnerLinks">
    /// Keep the inner links already in the links folder and train only the outer ones (alignment, outer loop). An
    /// inner link's training reads only its agent and the role texts, never m or another link, so after a change of
    /// m or of the outer recipe this gives the links a full run gives, in a fifth of the time.
    /// </param>
    public static IReadOnlyDictionary<string, TrainingReport> Train(string directory, long seed, ZooBudget budget,
        Action<string, TrainingProgress>? onProgress = null, string? logDirectory = null, CancellationToken cancellationToken = default,
        bool keepInnerLinks = false)
    {
        var data = AgentZoo.Tasks
            .SelectMany(kind => Read(directory, kind, TaskSplits.TrainFile).Take(budget.LinkExamplesPerTask))
            .ToList();
        var evaluation = AgentZoo.Tasks
            .SelectMany(kind => Read(directory, kind, TaskSplits.ValidationFile).Take(budget.LinkEvaluationQuestions / AgentZoo.Tasks.Count))
            .ToList();
        var description = SystemDescription.Load(Path.Combine(directory, AgentZoo.SequentialFile));
        string linksDirectory = Path.Combine(description.BaseDirectory, description.LinksDirectory);
        // Start from the seeded default links, never from links left by an earlier run.
        using var system = RecursiveSystem.Load(description, new SystemLoadOptions { IgnoreLinkFiles = true, UntrainedLinkSeed = seed });
        // Links start at the scale of the embeddings they feed, not at a LayerNorm's √d (see RecursiveLink).
        system.MatchLinkOutputsToEmbeddings();
        if (keepInnerLinks)
            CopyInnerLinks(description, system);
        var common = new TrainingOptions
        {
            BatchSize = budget.LinkBatchSize,
            LearningRate = budget.LinkLearningRate,
            Seed = seed + 101,
            DiagnoseEvery = 0,
            // The shipped links were trained averaging over tokens; keeping it keeps `rmas zoo` reproducing them bit for bit.
            LossAveraging = LossAveraging.PerToken,
            AnswerEnd = AnswerEnd.EndOfTurnToken,
            OnProgress = onProgress is null ? null : p => onProgress(description.Name, p),
        };
        var reports = new Dictionary<string, TrainingReport>();
        if (!keepInnerLinks)
            reports["inner"] = LinkTrainer.TrainInner(system, data, common with
            {
                Steps = budget.InnerSteps,
                BatchSize = budget.InnerBatchSize,
                LearningRate = budget.InnerLearningRate,
                InnerTokenWeight = budget.InnerTokenWeight,
                InnerReadsRoleMessages = budget.InnerTokenWeight > 0 || budget.InnerConsistencyWeight > 0,
                Evaluation = evaluation.Count > 0 ? evaluation : null,
                EvaluateEvery = budget.InnerEvaluateEvery,
                OutputDirectory = logDirectory is null ? null : Path.Combine(logDirectory, "inner"),
            }, cancellationToken);
        if (!keepInnerLinks && budget.ConsistencySteps > 0 && budget.InnerConsistencyWeight > 0)
            reports["consistency"] = LinkTrainer.TrainInner(system, data, common with
            {
                Steps = budget.ConsistencySteps,
                BatchSize = budget.InnerBatchSize,
                LearningRate = budget.ConsistencyLearningRate,
                InnerTokenWeight = budget.InnerTokenWeight,
                InnerConsistencyWeight = budget.InnerConsistencyWeight,
                InnerReadsRoleMessages = true,
                Seed = seed + 303,
                Evaluation = evaluation.Count > 0 ? evaluation : null,
                EvaluateEvery = budget.InnerEvaluateEvery,
                OutputDirectory = logDirectory is null ? null : Path.Combine(logDirectory, "consistency"),
            }, cancellationToken);
        var aligning = new OuterAlignmentOptions { Steps = budget.AlignSteps, BatchSize = budget.LinkBatchSize, Seed = seed + 202 };
        var alignment = OuterLinkAlignment.Align(system, data, aligning with
        {
            OnStep = onProgress is null ? null : (link, step, loss) => onProgress($"{description.Name} align {link}",
                new TrainingProgress(TrainingStage.Outer, step, aligning.Steps, loss, aligning.LearningRate, 0, [], [], new Dictionary<string, double>(), null, TimeSpan.Zero, null)),
        }, cancellationToken);
        if (logDirectory is not null)
            WriteAlignmentLog(Path.Combine(logDirectory, "alignment.json"), alignment);
        var outer = common with
        {
            Steps = budget.LinkSteps,
            MessageSource = budget.LinkMessages,
            DetachSenders = budget.LinkMessages == MessageSource.Rollout,
            ReceiverRoleWeight = budget.ReceiverRoleWeight,
            EarlierRoundWeight = budget.EarlierRoundWeight,
            Evaluation = evaluation.Count > 0 ? evaluation : null,
            EvaluateEvery = budget.EvaluateEvery,
            DiagnoseEvery = budget.EvaluateEvery,
            OutputDirectory = logDirectory is null ? null : Path.Combine(logDirectory, "outer"),
        };
        // Where rounds differ, round 1 first (every link but feedback, which round 1 never uses), then the feedback link alone.
        bool byRound = budget.OperationsPerRound is not null && budget.FeedbackSteps > 0 && description.Rounds > 1;
        reports["outer"] = LinkTrainer.TrainOuter(system, data, byRound ? outer with { Rounds = 1 } : outer, cancellationToken);
        if (byRound)
        {
            var feedback = system.Plan.Edges.Where(e => e.IsFeedback).Select(e => Links.OuterLink.IdOf(e.From, e.To)).ToList();
            reports["feedback"] = LinkTrainer.TrainOuter(system, data, outer with
            {
                Steps = budget.FeedbackSteps,
                OuterLinks = feedback,
                Seed = seed + 404,
                OutputDirectory = logDirectory is null ? null : Path.Combine(logDirectory, "feedback"),
            }, cancellationToken);
        }
        system.ReplaceLinks(linksDirectory);
        return reports;
    }

    /// <summary>
    /// A split as training examples whose decoder target is the solver's role text (the boxed result) of each round;
    /// the reference answer is the solver's text of the last round (where rounds differ, round 1's is a chain's first window).
    /// </summary>
    static IEnumerable<TrainingExample> Read(string directory, TaskKind kind, string file) =>
        TaskDataFile.Read(Path.Combine(directory, "data", kind.Name(), file))
            .Select(e => new TrainingExample(e.Question, e.Roles, e.RolesIn(e.LaterRounds.Count + 1).GetValueOrDefault(TaskRoles.Solver) ?? e.Answer)
            {
                LaterRoundTargets = e.LaterRounds,
            });

    /// <summary>The trained inner links of <paramref name="description"/>'s links folder, copied into <paramref name="system"/>'s (a missing file is named).</summary>
    static void CopyInnerLinks(SystemDescription description, RecursiveSystem system)
    {
        string links = Path.Combine(description.BaseDirectory, description.LinksDirectory);
        using var noGrad = TorchSharp.torch.no_grad();
        foreach (var agent in system.Agents)
        {
            using var trained = Links.InnerLink.Load(Path.Combine(links, agent.InnerLink.Id), agent.Name, agent.HiddenSize);
            var to = agent.InnerLink.parameters().ToList();
            var from = trained.parameters().ToList();
            for (int i = 0; i < to.Count; i++)
                to[i].copy_(from[i]);
        }
    }

    static void WriteAlignmentLog(string path, IReadOnlyDictionary<string, (double First, double Last)> alignment)
    {
        var json = new System.Text.Json.Nodes.JsonObject();
        foreach (var (link, (first, last)) in alignment)
            json[link] = new System.Text.Json.Nodes.JsonObject { ["first_loss"] = first, ["final_loss"] = last };
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        IO.AtomicFile.WriteAllText(path, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
