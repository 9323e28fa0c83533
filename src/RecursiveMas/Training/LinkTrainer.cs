using RecursiveMas.Models.Kernels;
using RecursiveMas.Systems;

namespace RecursiveMas.Training;

/// <summary>
/// Trains a system's links by the inner–outer algorithm of PAPER §4: the inner loop aligns each
/// agent's inner link with its own input embeddings (teacher-forced, role texts); the outer loop
/// unrolls the rounds and trains all outer links jointly on the decoder's final-round cross-entropy,
/// backpropagating through the frozen models. With an output directory it writes a JSONL step log,
/// checkpoints (resumable) and the trained links (<c>OUT/links</c>, loadable with <c>--links</c>).
/// The models never change.
/// </summary>
public static class LinkTrainer
{
    /// <summary>The inner loop only.</summary>
    public static TrainingReport TrainInner(RecursiveSystem system, IReadOnlyList<TrainingExample> data, TrainingOptions options, CancellationToken ct = default) =>
        Train(system, data, options with { Stage = TrainingStage.Inner }, ct);

    /// <summary>The outer loop only.</summary>
    public static TrainingReport TrainOuter(RecursiveSystem system, IReadOnlyList<TrainingExample> data, TrainingOptions options, CancellationToken ct = default) =>
        Train(system, data, options with { Stage = TrainingStage.Outer }, ct);

    /// <summary>The stages <see cref="TrainingOptions.Stage"/> names: inner, outer, or inner then outer.</summary>
    public static TrainingReport Train(RecursiveSystem system, IReadOnlyList<TrainingExample> data, TrainingOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(data);
        options.Validate();
        CheckData(system, data, options, "training");
        if (options.Evaluation is { } evaluation)
            CheckData(system, evaluation, options, "evaluation");
        if (options.BatchSize > data.Count)
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize,
                $"a batch of {options.BatchSize} examples is more than the {data.Count} training examples hold");
        // The links are swapped in at the end: a folder that cannot take them is refused before any step.
        if (options.OutputDirectory is not null)
        {
            // A file given as the folder is named now, not after the first step writes its log line.
            RecursiveMas.IO.AtomicFile.CreateFolder(options.OutputDirectory);
            RecursiveSystem.CheckLinksReplaceable(Path.Combine(Path.GetFullPath(options.OutputDirectory), "links"));
        }

        TrainingLog? log = options.OutputDirectory is null ? null : new TrainingLog(Path.Combine(options.OutputDirectory, TrainingLogEntry.FileName));
        TrainingStage[] stages = options.Stage == TrainingStage.Both ? [TrainingStage.Inner, TrainingStage.Outer] : [options.Stage];
        string Checkpoint(TrainingStage s) => TrainingCheckpoint.PathFor(options.OutputDirectory!, s);
        if (options.Resume)
        {
            if (!stages.Any(s => File.Exists(Checkpoint(s))))
                throw new ModelFileException(Checkpoint(stages[0]), null, "nothing to resume: no checkpoint of this stage in the output directory");
        }
        else
        {
            log?.Reset();
        }

        // Links train (and are checkpointed and saved) in LinkDType; a resumed run converts before its checkpoint is read.
        foreach (var link in system.AllLinks)
            link.ConvertTo(options.LinkDType);

        // Graph-free rollouts (rollout messages, held-out evaluation) use libtorch's kernels, not the CPU
        // kernels inference uses where the CPU has AVX2 or AVX-512: what a training run writes then does not depend
        // on them being there, and runs from before them (the shipped zoo) reproduce bit for bit.
        using var libtorch = CpuLinear.UseLibtorch();
        var reports = new List<StageReport>();
        foreach (var stage in stages)
        {
            // Every checkpoint holds all links, so an outer checkpoint already carries the trained inner links.
            if (options.Resume && stage == TrainingStage.Inner && stages.Length > 1 && File.Exists(Checkpoint(TrainingStage.Outer)))
                continue;
            bool resume = options.Resume && File.Exists(Checkpoint(stage));
            reports.Add(StageTrainer.Run(system, data, options, stage, log, resume, ct));
        }

        string? linksDirectory = null;
        if (options.OutputDirectory is not null)
        {
            linksDirectory = Path.Combine(Path.GetFullPath(options.OutputDirectory), "links");
            system.ReplaceLinks(linksDirectory);
        }
        return new TrainingReport { Stages = reports, LogPath = log?.Path, LinksDirectory = linksDirectory };
    }

    /// <summary>
    /// Examples must name only agents of the system (a typo would silently train nothing), and each question's prompts
    /// must fit the agents' models, as a run's must (<see cref="RunAdmission"/>): one that does not is refused naming
    /// the example, before a step allocates what it cannot hold.
    /// </summary>
    static void CheckData(RecursiveSystem system, IReadOnlyList<TrainingExample> data, TrainingOptions options, string what)
    {
        if (data.Count == 0)
            throw new ArgumentException($"no {what} examples");
        var agents = system.Agents.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var run = new RunOptions { Rounds = options.Rounds };
        for (int i = 0; i < data.Count; i++)
        {
            try
            {
                RunAdmission.CheckLength(system.Prompts, data[i].Question, run);
            }
            catch (PromptTooLongException e)
            {
                throw new ArgumentException($"{data[i].Describe(i)}: {e.TurnReason}", e);
            }
            var rounds = data[i].LaterRoundTargets.Select((targets, r) => ($"\"later_rounds\"[{r}]", targets)).Prepend(("\"roles\"", data[i].RoleTargets));
            foreach (var (field, targets) in rounds)
            {
                foreach (var name in targets.Keys)
                {
                    if (!agents.Contains(name))
                        throw new ArgumentException(
                            $"{data[i].Describe(i)}: {field} names {name}, which is not an agent of system {system.Description.Name} (agents: {string.Join(", ", agents)})");
                }
            }
        }
    }
}
