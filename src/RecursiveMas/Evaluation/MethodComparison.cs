using System.Diagnostics;
using RecursiveMas.Baselines;
using RecursiveMas.Serving;
using RecursiveMas.Systems;
using RecursiveMas.Tasks;

namespace RecursiveMas.Evaluation;

/// <summary>What <see cref="MethodComparison.Run"/> compares and how.</summary>
public sealed record ComparisonOptions
{
    /// <summary>
    /// Methods: <c>single</c> (decoder alone, single-agent prompt), <c>alone:AGENT</c> (that agent alone with its own
    /// prompt and no messages), <c>sft</c> (fine-tuned decoder alone), <c>text</c> (Recursive-TextMAS),
    /// <c>untrained</c> (RecursiveMAS with every link at its seeded initialization: training-free), <c>recursive</c> (RecursiveMAS).
    /// </summary>
    public IReadOnlyList<string> Methods { get; init; } = ["single", "text", "recursive"];

    /// <summary>Round counts n for the multi-agent methods (single-agent methods run once).</summary>
    public IReadOnlyList<int> Rounds { get; init; } = [1, 2, 3];

    /// <summary>Seeds 1..N: each seeds decoding (when sampling) and the initialization of links that have no file.</summary>
    public int Seeds { get; init; } = 3;

    /// <summary>Questions in progress together: rows of a continuous batch for the latent system, fixed batches for the baselines.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Use only the first N questions of the data.</summary>
    public int? Limit { get; init; }

    /// <summary>Decoding temperature overriding the system's (0 = greedy: seeds then differ only through untrained links).</summary>
    public double? Temperature { get; init; }

    /// <summary>Final-answer token budget overriding the system's.</summary>
    public int? MaxNewTokens { get; init; }

    /// <summary>Model directory of the fine-tuned decoder for method <c>sft</c>.</summary>
    public string? SftModel { get; init; }

    /// <summary>Run links that have no file from their seeded default initialization.</summary>
    public bool AllowUntrainedLinks { get; init; }

    /// <summary>Called after each (method, rounds, seed) run.</summary>
    public Action<string, int, SeedRun>? OnRun { get; init; }

    public static readonly IReadOnlyList<string> KnownMethods = ["single", "alone:AGENT", "sft", "text", "untrained", "recursive"];

    /// <summary>The prefix of the "each agent alone" methods.</summary>
    public const string AlonePrefix = "alone:";

    /// <summary>Whether <paramref name="method"/> is one of <see cref="KnownMethods"/> (<c>alone:</c> with any agent name).</summary>
    public static bool IsKnown(string method) =>
        method is "single" or "sft" or "text" or "untrained" or "recursive" || (method.StartsWith(AlonePrefix, StringComparison.Ordinal) && method.Length > AlonePrefix.Length);

    /// <summary>Whether <paramref name="method"/> runs once regardless of rounds.</summary>
    public static bool IsSingleAgent(string method) => method is "single" or "sft" || method.StartsWith(AlonePrefix, StringComparison.Ordinal);
}

/// <summary>One seed's figures for one (method, rounds): strict accuracy, generated tokens and measured seconds per question.</summary>
public sealed record SeedRun(long Seed, int Questions, int Correct, double TokensPerQuestion, double SecondsPerQuestion)
{
    public double Accuracy => Questions == 0 ? 0 : (double)Correct / Questions;
}

/// <summary>
/// The analogue of the paper's Table 2 (PAPER §6.3) on a task's test split: every method and round
/// count over the same questions, several seeds, strict answer checking (<see cref="TaskExample.IsAnsweredBy"/>),
/// and wall time measured around each batch.
/// </summary>
public static class MethodComparison
{
    public static ComparisonResult Run(string systemPath, string dataPath, ComparisonOptions options, CancellationToken cancellationToken = default)
    {
        var unknown = options.Methods.Where(m => !ComparisonOptions.IsKnown(m)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"unknown method(s) {string.Join(", ", unknown)}; known: {string.Join(", ", ComparisonOptions.KnownMethods)}");
        if (options.Methods.Contains("sft") && options.SftModel is null)
            throw new ArgumentException("method sft needs the fine-tuned model directory (--sft-model)");
        if (options.Seeds < 1 || options.BatchSize < 1 || options.Rounds.Count == 0 || options.Rounds.Any(r => r < 1))
            throw new ArgumentException("seeds and batch size must be at least 1, and rounds a non-empty list of counts ≥ 1");
        var description = SystemDescription.Load(systemPath);
        foreach (var method in options.Methods.Where(m => m.StartsWith(ComparisonOptions.AlonePrefix, StringComparison.Ordinal)))
        {
            string agent = method[ComparisonOptions.AlonePrefix.Length..];
            if (!description.Agents.Any(a => a.Name == agent))
                throw new ArgumentException($"method {method}: system {description.Name} has no agent {agent} (agents: {string.Join(", ", description.Agents.Select(a => a.Name))})");
        }
        var data = TaskDataFile.Read(dataPath);
        if (options.Limit is int limit)
            data = [.. data.Take(limit)];
        var decoding = description.Decoding with
        {
            Temperature = options.Temperature ?? description.Decoding.Temperature,
            MaxNewTokens = options.MaxNewTokens ?? description.Decoding.MaxNewTokens,
        };

        var rows = new List<ComparisonRow>();
        foreach (var method in options.Methods)
        {
            var roundCounts = ComparisonOptions.IsSingleAgent(method) ? [0] : options.Rounds;
            foreach (int rounds in roundCounts)
            {
                var runs = new List<SeedRun>();
                for (long seed = 1; seed <= options.Seeds; seed++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var run = RunOne(description, method, rounds, seed, data, decoding with { Seed = seed }, options);
                    options.OnRun?.Invoke(method, rounds, run);
                    runs.Add(run);
                }
                rows.Add(new ComparisonRow(method, rounds, runs));
            }
        }
        return new ComparisonResult(description.Name, Path.GetFullPath(dataPath), data.Count, decoding.Temperature, rows);
    }

    static SeedRun RunOne(SystemDescription description, string method, int rounds, long seed, IReadOnlyList<TaskExample> data,
        DecodingDescription decoding, ComparisonOptions options)
    {
        // sft: the fine-tuned model replaces the decoder's; everything else (prompt, decoding) stays.
        var models = method == "sft"
            ? new Dictionary<string, string> { [SystemPlan.Build(description).Decoder] = Path.GetFullPath(options.SftModel!) }
            : null;
        using var system = RecursiveSystem.Load(description, new SystemLoadOptions
        {
            AllowUntrainedLinks = options.AllowUntrainedLinks || method != "recursive",
            UntrainedLinkSeed = seed,
            ModelOverrides = models,
            // Training-free: no link file is read, every link starts from its seeded initialization.
            IgnoreLinkFiles = method == "untrained",
        });
        var runOptions = new RunOptions { Rounds = rounds == 0 ? null : rounds, Decoding = decoding };
        int correct = 0;
        long tokens = 0;
        var watch = new Stopwatch();
        if (method is "recursive" or "untrained")
        {
            // The latent system runs as a continuous batch: a question that finishes early frees its row for the next one.
            watch.Start();
            var results = ContinuousBatcher.SolveMany(system, [.. data.Select(e => e.Question)], runOptions, options.BatchSize);
            watch.Stop();
            for (int i = 0; i < data.Count; i++)
            {
                tokens += results[i].GeneratedTokens;
                if (data[i].IsAnsweredBy(results[i].Answers[0].Text))
                    correct++;
            }
            return new SeedRun(seed, data.Count, correct, (double)tokens / data.Count, watch.Elapsed.TotalSeconds / data.Count);
        }
        foreach (var batch in data.Chunk(options.BatchSize))
        {
            var questions = batch.Select(e => e.Question).ToList();
            watch.Start();
            var result = method switch
            {
                "single" or "sft" => SingleAgentBaseline.SolveBatch(system, questions, runOptions),
                _ when method.StartsWith(ComparisonOptions.AlonePrefix, StringComparison.Ordinal) =>
                    SingleAgentBaseline.SolveAlone(system, method[ComparisonOptions.AlonePrefix.Length..], questions, runOptions),
                _ => TextMasBaseline.SolveBatch(system, questions, runOptions),
            };
            watch.Stop();
            tokens += result.GeneratedTokens;
            for (int i = 0; i < batch.Length; i++)
                if (batch[i].IsAnsweredBy(result.Answers[i].Text))
                    correct++;
        }
        return new SeedRun(seed, data.Count, correct, (double)tokens / data.Count, watch.Elapsed.TotalSeconds / data.Count);
    }
}
