using System.Diagnostics;
using RecursiveMas.Answers;
using RecursiveMas.Baselines;
using RecursiveMas.BenchmarkData;
using RecursiveMas.Serving;
using RecursiveMas.Systems;
using RecursiveMas.Tasks;

namespace RecursiveMas.Evaluation;

/// <summary>What <see cref="MethodComparison.Run"/> compares and how.</summary>
public sealed record ComparisonOptions
{
    /// <summary>
    /// Methods: <c>single</c> (decoder alone, single-agent prompt), <c>alone:AGENT</c> (that agent alone with its own
    /// prompt and no messages), <c>sft</c> (fine-tuned decoder alone), <c>lora</c> (the decoder with a LoRA adapter
    /// alone, single-agent prompt), <c>text</c> (Recursive-TextMAS),
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

    /// <summary>PEFT adapter directory of the decoder's LoRA adapter for method <c>lora</c> (merged into the decoder at load).</summary>
    public string? LoraAdapter { get; init; }

    /// <summary>Run links that have no file from their seeded default initialization.</summary>
    public bool AllowUntrainedLinks { get; init; }

    /// <summary>The published benchmark whose file format <c>dataPath</c> has; null: the task JSONL (<see cref="TaskDataFile"/>).</summary>
    public Benchmark? Benchmark { get; init; }

    /// <summary>Seed of the GPQA option order (the released run.py's --seed).</summary>
    public int ShuffleSeed { get; init; } = BenchmarkFile.DefaultShuffleSeed;

    /// <summary>How answers are graded: strict (default) or the official scorer's leniency.</summary>
    public AnswerChecker Checker { get; init; } = AnswerChecker.Strict;

    /// <summary>
    /// Samples per question in each seed run (n ≥ 1). Sample 0 decodes with the run's seed, sample j with seed
    /// <c>seed·1000003 + j</c>; links (and so latents) are the run's. Accuracy is then the mean over all samples
    /// (pass@1) and pass@k is reported for k = 1, 2, 4, … n with the unbiased estimator (<see cref="PassAtK"/>).
    /// </summary>
    public int Samples { get; init; } = 1;

    /// <summary>Called after each (method, rounds, seed) run.</summary>
    public Action<string, int, SeedRun>? OnRun { get; init; }

    /// <summary>
    /// Called with each note on what loading did to the folders it read, for the caller to tell its user: a model, LoRA
    /// adapter or links folder that a killed process left half swapped, finished (<see cref="SystemPrompts.ModelRecoveries"/>,
    /// <see cref="RecursiveSystem.ModelRecoveries"/>, <see cref="RecursiveSystem.LinksRecovery"/>). Once each: the first
    /// load finishes the swap, and the later ones find nothing to finish.
    /// </summary>
    public Action<string>? OnLoadNote { get; init; }

    public static readonly IReadOnlyList<string> KnownMethods = ["single", "alone:AGENT", "sft", "lora", "text", "untrained", "recursive"];

    /// <summary>The prefix of the "each agent alone" methods.</summary>
    public const string AlonePrefix = "alone:";

    /// <summary>Whether <paramref name="method"/> is one of <see cref="KnownMethods"/> (<c>alone:</c> with any agent name).</summary>
    public static bool IsKnown(string method) =>
        method is "single" or "sft" or "lora" or "text" or "untrained" or "recursive" || (method.StartsWith(AlonePrefix, StringComparison.Ordinal) && method.Length > AlonePrefix.Length);

    /// <summary>Whether <paramref name="method"/> runs once regardless of rounds.</summary>
    public static bool IsSingleAgent(string method) => method is "single" or "sft" or "lora" || method.StartsWith(AlonePrefix, StringComparison.Ordinal);
}

/// <summary>
/// One seed's figures for one (method, rounds): accuracy, generated tokens and measured seconds per question and
/// sample. With <see cref="Samples"/> n &gt; 1, <see cref="Correct"/> counts correct samples over all questions and
/// <see cref="PassAt"/> holds pass@k for the reported k.
/// </summary>
public sealed record SeedRun(long Seed, int Questions, int Correct, double TokensPerQuestion, double SecondsPerQuestion)
{
    /// <summary>Samples per question (1 unless --samples).</summary>
    public int Samples { get; init; } = 1;

    /// <summary>k → pass@k (unbiased estimator, mean over questions); empty with one sample.</summary>
    public IReadOnlyDictionary<int, double> PassAt { get; init; } = new Dictionary<int, double>();

    /// <summary>Fraction of correct samples (pass@1).</summary>
    public double Accuracy => Questions == 0 ? 0 : (double)Correct / (Questions * Samples);
}

/// <summary>
/// The analogue of the paper's Table 2 (PAPER §6.3) on a task's test split: every method and round
/// count over the same questions, several seeds, answers graded by the chosen checker (<see cref="IGradedQuestion"/>:
/// task examples or a published benchmark's questions), and wall time measured around each batch.
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
        if (options.Methods.Contains("lora") && options.LoraAdapter is null)
            throw new ArgumentException("method lora needs the decoder's LoRA adapter directory (--lora-adapter)");
        if (options.Seeds < 1 || options.BatchSize < 1 || options.Rounds.Count == 0 || options.Rounds.Any(r => r < 1))
            throw new ArgumentException("seeds and batch size must be at least 1, and rounds a non-empty list of counts ≥ 1");
        var description = SystemDescription.Load(systemPath);
        foreach (var method in options.Methods.Where(m => m.StartsWith(ComparisonOptions.AlonePrefix, StringComparison.Ordinal)))
        {
            string agent = method[ComparisonOptions.AlonePrefix.Length..];
            if (!description.Agents.Any(a => a.Name == agent))
                throw new ArgumentException($"method {method}: system {description.Name} has no agent {agent} (agents: {string.Join(", ", description.Agents.Select(a => a.Name))})");
        }
        if (options.Samples < 1)
            throw new ArgumentException("samples must be at least 1");
        var data = ReadData(dataPath, options.Benchmark, options.ShuffleSeed, options.Limit);
        var decoding = DecodingFor(description, options.Benchmark, options.Temperature, options.MaxNewTokens);

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
                    SeedRun run;
                    try
                    {
                        run = RunOne(description, method, rounds, seed, data, decoding with { Seed = seed }, options);
                    }
                    catch (PromptTooLongException e) when (e.Question is int at)
                    {
                        // A fault of the data, so the error names the data file and the question in it.
                        string id = data[at].Id is { } known ? $" ({known})" : "";
                        throw new ModelFileException(Path.GetFullPath(dataPath), $"question {at + 1} of {data.Count}{id}", $"method {method}: {e.TurnReason}", e);
                    }
                    options.OnRun?.Invoke(method, rounds, run);
                    runs.Add(run);
                }
                rows.Add(new ComparisonRow(method, rounds, runs));
            }
        }
        return new ComparisonResult(description.Name, Path.GetFullPath(dataPath), data.Count, decoding.Temperature, rows)
        {
            Checker = options.Checker == AnswerChecker.Lenient ? "lenient" : "strict",
            Benchmark = options.Benchmark?.Name(),
        };
    }

    /// <summary>The test questions: a task JSONL, or a published benchmark's file; the first <paramref name="limit"/> when given.</summary>
    public static IReadOnlyList<IGradedQuestion> ReadData(string dataPath, Benchmark? benchmark, int shuffleSeed = BenchmarkFile.DefaultShuffleSeed, int? limit = null)
    {
        IReadOnlyList<IGradedQuestion> data = benchmark is { } b ? BenchmarkFile.Read(b, dataPath, shuffleSeed) : TaskDataFile.Read(dataPath);
        return limit is int n ? [.. data.Take(n)] : data;
    }

    /// <summary>
    /// The final decode's settings of an evaluation: the system's, with a benchmark's generation length (and
    /// MBPP+'s temperature), both overridden by the caller's.
    /// </summary>
    public static DecodingDescription DecodingFor(SystemDescription description, Benchmark? benchmark, double? temperature, int? maxNewTokens) =>
        description.Decoding with
        {
            Temperature = temperature ?? benchmark?.Temperature() ?? description.Decoding.Temperature,
            MaxNewTokens = maxNewTokens ?? benchmark?.MaxNewTokens() ?? description.Decoding.MaxNewTokens,
        };

    static SeedRun RunOne(SystemDescription description, string method, int rounds, long seed, IReadOnlyList<IGradedQuestion> data,
        DecodingDescription decoding, ComparisonOptions options)
    {
        // sft: the fine-tuned model replaces the decoder's; lora: the adapter is merged into the decoder's;
        // everything else (prompt, decoding) stays.
        string decoder = SystemPlan.Build(description).Decoder;
        var models = method == "sft" ? new Dictionary<string, string> { [decoder] = Path.GetFullPath(options.SftModel!) } : null;
        var adapters = method == "lora" ? new Dictionary<string, string> { [decoder] = Path.GetFullPath(options.LoraAdapter!) } : null;
        var loadOptions = new SystemLoadOptions
        {
            AllowUntrainedLinks = options.AllowUntrainedLinks || method != "recursive",
            UntrainedLinkSeed = seed,
            ModelOverrides = models,
            Adapters = adapters,
            // Training-free: no link file is read, every link starts from its seeded initialization.
            IgnoreLinkFiles = method == "untrained",
        };
        var questions = data.Select(e => e.Prompt).ToList();
        // Each method's admission (what its run checks) from the tokenizers and config.json files alone: a question no
        // agent can hold is refused before the models' weights are read, not after.
        var prompts = SystemPrompts.Load(description, loadOptions);
        Tell(options, prompts.ModelRecoveries);
        var admission = new RunOptions { Rounds = rounds == 0 ? null : rounds, Decoding = decoding };
        if (method is "recursive" or "untrained")
            RunAdmission.CheckEach(prompts, questions, admission);
        else if (method == "text")
            TextMasBaseline.CheckEach(prompts, questions, admission);
        else if (method.StartsWith(ComparisonOptions.AlonePrefix, StringComparison.Ordinal))
            SingleAgentBaseline.CheckEachAlone(prompts, method[ComparisonOptions.AlonePrefix.Length..], questions, admission);
        else
            SingleAgentBaseline.CheckEach(prompts, questions, admission);
        using var system = RecursiveSystem.Load(description, loadOptions);
        Tell(options, system.ModelRecoveries.Append(system.LinksRecovery));
        var correctPerQuestion = new int[data.Count];
        long tokens = 0;
        var watch = new Stopwatch();
        for (int sample = 0; sample < options.Samples; sample++)
        {
            var runOptions = new RunOptions
            {
                Rounds = rounds == 0 ? null : rounds,
                Decoding = decoding with { Seed = sample == 0 ? seed : seed * 1_000_003 + sample },
            };
            var answers = Solve(system, method, questions, runOptions, options.BatchSize, watch, ref tokens);
            for (int i = 0; i < data.Count; i++)
                if (data[i].IsAnsweredBy(answers[i], options.Checker))
                    correctPerQuestion[i]++;
        }
        int samples = options.Samples, answered = data.Count * samples;
        return new SeedRun(seed, data.Count, correctPerQuestion.Sum(), (double)tokens / answered, watch.Elapsed.TotalSeconds / answered)
        {
            Samples = samples,
            PassAt = samples == 1 ? new Dictionary<int, double>() : PassAtK.ReportedKs(samples).ToDictionary(k => k, k => PassAtK.Mean(correctPerQuestion, samples, k)),
        };
    }

    /// <summary>Passes what a load did to its folders (nulls skipped) to <see cref="ComparisonOptions.OnLoadNote"/>.</summary>
    static void Tell(ComparisonOptions options, IEnumerable<string?> notes)
    {
        foreach (string note in notes.OfType<string>())
            options.OnLoadNote?.Invoke(note);
    }

    /// <summary>One answer text per question by <paramref name="method"/>; time is measured around the solving only.</summary>
    static IReadOnlyList<string?> Solve(RecursiveSystem system, string method, IReadOnlyList<string> questions, RunOptions runOptions, int batchSize,
        Stopwatch watch, ref long tokens)
    {
        var answers = new List<string?>(questions.Count);
        if (method is "recursive" or "untrained")
        {
            // The latent system runs as a continuous batch: a question that finishes early frees its row for the next one.
            watch.Start();
            var results = ContinuousBatcher.SolveMany(system, questions, runOptions, batchSize);
            watch.Stop();
            foreach (var result in results)
            {
                tokens += result.GeneratedTokens;
                answers.Add(result.Answers[0].Text);
            }
            return answers;
        }
        // The baselines run on a thread that then ends, as the latent system runs on its batcher's: models run on
        // this long-lived thread would slow every later method's (ThreadThatEnds).
        var (texts, generated) = ThreadThatEnds.Run($"rmas eval {method}", () =>
        {
            var texts = new List<string?>(questions.Count);
            long generated = 0;
            int offset = 0;
            foreach (var batch in questions.Chunk(batchSize))
            {
                watch.Start();
                RunResult result;
                try
                {
                    result = method switch
                    {
                        "single" or "sft" or "lora" => SingleAgentBaseline.SolveBatch(system, batch, runOptions),
                        _ when method.StartsWith(ComparisonOptions.AlonePrefix, StringComparison.Ordinal) =>
                            SingleAgentBaseline.SolveAlone(system, method[ComparisonOptions.AlonePrefix.Length..], batch, runOptions),
                        _ => TextMasBaseline.SolveBatch(system, batch, runOptions),
                    };
                }
                catch (PromptTooLongException e)
                {
                    // Its place in the data, not in the batch of batchSize it ran in.
                    throw e.InQuestion(offset + (e.Question ?? 0), questions.Count);
                }
                offset += batch.Length;
                watch.Stop();
                generated += result.GeneratedTokens;
                texts.AddRange(result.Answers.Select(a => a.Text));
            }
            return (texts, generated);
        });
        tokens += generated;
        answers.AddRange(texts);
        return answers;
    }
}
