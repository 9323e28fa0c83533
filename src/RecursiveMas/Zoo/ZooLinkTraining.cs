using RecursiveMas.Systems;
using RecursiveMas.Tasks;
using RecursiveMas.Training;

namespace RecursiveMas.Zoo;

/// <summary>
/// Trains the links of the zoo's systems with <see cref="LinkTrainer"/> (inner loop, then outer loop, on
/// teacher messages) and writes them into each system's links folder, beside the models. Role texts
/// of agents a system does not have are dropped from its data (the distillation system has no planner).
/// </summary>
public static class ZooLinkTraining
{
    /// <summary>Trains and saves the links of every zoo system in <paramref name="directory"/>; returns each system's report.</summary>
    public static IReadOnlyDictionary<string, TrainingReport> Train(string directory, long seed, ZooBudget budget,
        Action<string, TrainingProgress>? onProgress = null, CancellationToken cancellationToken = default)
    {
        var data = AgentZoo.Tasks
            .SelectMany(kind => TaskDataFile.Read(Path.Combine(directory, "data", kind.Name(), TaskSplits.TrainFile)).Take(budget.LinkExamplesPerTask))
            .ToList();
        var reports = new Dictionary<string, TrainingReport>();
        foreach (var (file, index) in new[] { AgentZoo.SequentialFile, AgentZoo.DistillationFile }.Select((f, i) => (f, i)))
        {
            var description = SystemDescription.Load(Path.Combine(directory, file));
            var linksDirectory = Path.Combine(description.BaseDirectory, description.LinksDirectory);
            // Start from the seeded default links, never from links left by an earlier run.
            using var system = RecursiveSystem.Load(description, new SystemLoadOptions
            {
                AllowUntrainedLinks = true,
                UntrainedLinkSeed = seed,
                LinksDirectory = Path.Combine(directory, ".no-links"),
            });
            var agents = system.Agents.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
            var examples = data.Select(e => new TrainingExample(e.Question,
                e.Roles.Where(r => agents.Contains(r.Key)).ToDictionary(r => r.Key, r => r.Value), e.Answer)).ToList();
            var options = new TrainingOptions
            {
                Stage = TrainingStage.Both,
                Steps = budget.LinkSteps,
                BatchSize = budget.LinkBatchSize,
                LearningRate = budget.LinkLearningRate,
                Seed = seed + 101 * (index + 1),
                DiagnoseEvery = 0,
                OnProgress = onProgress is null ? null : p => onProgress(description.Name, p),
            };
            reports[description.Name] = LinkTrainer.Train(system, examples, options, cancellationToken);
            if (Directory.Exists(linksDirectory))
                Directory.Delete(linksDirectory, recursive: true);
            system.SaveLinks(linksDirectory);
        }
        return reports;
    }
}
