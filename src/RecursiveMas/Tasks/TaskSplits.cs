using RecursiveMas.IO;
namespace RecursiveMas.Tasks;

/// <summary>
/// Train / validation / test splits of one task drawn from one seed. Questions are distinct across all
/// splits (a question seen in training never appears in test). The test split is drawn first, then
/// validation, then training, so asking for more training data leaves test and validation unchanged.
/// </summary>
public sealed record TaskSplits(TaskKind Kind, long Seed, IReadOnlyList<TaskExample> Train, IReadOnlyList<TaskExample> Validation, IReadOnlyList<TaskExample> Test)
{
    /// <summary>File names inside the output folder.</summary>
    public const string TrainFile = "train.jsonl", ValidationFile = "val.jsonl", TestFile = "test.jsonl";

    /// <summary>
    /// Draws the three splits; fails if the task cannot supply that many distinct questions.
    /// <paramref name="operationsPerRound"/> spreads an arithmetic example's roles over rounds (<see cref="TaskKinds.Draw"/>).
    /// </summary>
    public static TaskSplits Generate(TaskKind kind, long seed, int train, int validation, int test, int? operationsPerRound = null,
        CancellationToken cancellationToken = default)
    {
        if (train < 0 || validation < 0 || test < 0)
            throw new ArgumentOutOfRangeException(nameof(train), "split sizes must not be negative");
        // System.Random with a seed is the same sequence on every .NET platform and version (the legacy
        // seeded algorithm is kept for exactly that), which the bit-for-bit zoo depends on.
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        List<TaskExample> Draw(int count, string split)
        {
            var drawn = new List<TaskExample>(count);
            int attempts = 0;
            while (drawn.Count < count)
            {
                if ((attempts & 1023) == 0)
                    cancellationToken.ThrowIfCancellationRequested(); // a million long chains take a while
                if (++attempts > 50 * (count + 10))
                    throw new InvalidOperationException($"task {kind.Name()}: could not draw {count} distinct {split} questions");
                var example = kind.Draw(random, operationsPerRound);
                if (seen.Add(example.Question))
                    drawn.Add(example);
            }
            return drawn;
        }
        var testSplit = Draw(test, "test");
        var validationSplit = Draw(validation, "validation");
        var trainSplit = Draw(train, "training");
        return new TaskSplits(kind, seed, trainSplit, validationSplit, testSplit);
    }

    /// <summary>Writes train.jsonl, val.jsonl and test.jsonl into <paramref name="directory"/>.</summary>
    public void Write(string directory, CancellationToken cancellationToken = default)
    {
        AtomicFile.CreateFolder(directory);
        // All three or none: a split that cannot be written fails before the others replace an earlier run's.
        foreach (string file in new[] { TrainFile, ValidationFile, TestFile })
            AtomicFile.CheckWritable(Path.Combine(directory, file));
        TaskDataFile.Write(Path.Combine(directory, TrainFile), Train, cancellationToken);
        TaskDataFile.Write(Path.Combine(directory, ValidationFile), Validation, cancellationToken);
        TaskDataFile.Write(Path.Combine(directory, TestFile), Test, cancellationToken);
    }
}
