using System.ComponentModel;
using System.Globalization;
using RecursiveMas.Answers;
using RecursiveMas.BenchmarkData;
using RecursiveMas.Charts;
using RecursiveMas.Cluster;
using RecursiveMas.Decoding;
using RecursiveMas.Evaluation;
using RecursiveMas.IO;
using RecursiveMas.Systems;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RecursiveMas.Cli.Commands;

/// <summary>
/// <c>rmas eval</c>: the analogue of the paper's Table 2 — accuracy (strict checker), generated tokens and
/// measured wall time per question for each method and round count, with 95% t-intervals over seeds;
/// prints the table and writes comparison.json and comparison.png with --out.
/// </summary>
public sealed class EvalCommand(IAnsiConsole console) : Command<EvalCommand.Settings>
{
    public sealed class Settings : CommonSettings
    {
        [CommandOption("--system <FILE>")]
        [Description("The system description (SYSTEM.json).")]
        public string System { get; init; } = "";

        [CommandOption("--data <FILE>")]
        [Description("Test data: the task JSONL ({\"question\", \"roles\", \"answer\"} per line, the answer's \\boxed{} value is the gold answer; with \"choices\": [[..]] multiple choice, the gold a letter), or with --benchmark that benchmark's published file (.jsonl, .json array, or .csv for GPQA).")]
        public string Data { get; init; } = "";

        [CommandOption("--benchmark <NAME>")]
        [Description("Read --data as a published benchmark: math500, aime, gpqa, medqa, mbppplus, livecodebench. Sets the paper's generation length (2000 MATH500, 16000 AIME, 4000 others) and MBPP+'s temperature 0.2 unless --max-new-tokens/--temperature say otherwise; code is run against the tests in a python3 sandbox.")]
        public string? Benchmark { get; init; }

        [CommandOption("--checker <NAME>")]
        [Description("strict (exact math equivalence, unparseable choices wrong) or lenient (the official scorer: integer-part matches, unparseable choices count as A). See docs/fidelity.md.")]
        [DefaultValue("strict")]
        public string Checker { get; init; } = "strict";

        [CommandOption("--samples <N>")]
        [Description("Samples per question in each seed run (decoding seeds differ); reports pass@k for k = 1, 2, 4, … N with the unbiased estimator.")]
        [DefaultValue(1)]
        public int Samples { get; init; } = 1;

        [CommandOption("--shuffle-seed <N>")]
        [Description("Seed of the GPQA option order (md5-seeded shuffle per question).")]
        [DefaultValue(BenchmarkFile.DefaultShuffleSeed)]
        public int ShuffleSeed { get; init; } = BenchmarkFile.DefaultShuffleSeed;

        [CommandOption("--methods <LIST>")]
        [Description("Comma-separated: single, alone:AGENT (e.g. alone:critic), sft, lora, text, untrained, recursive. Default: single,text,recursive (recursive with --cluster).")]
        public string? Methods { get; init; }

        [CommandOption("--rounds <LIST>")]
        [Description("Comma-separated round counts for text and recursive. Default: 1,2,3 (the system's with --cluster, which takes one count).")]
        public string? Rounds { get; init; }

        [CommandOption("--seeds <N>")]
        [Description("Seeds 1..N (decoding seed when sampling; initialization of links without a file). Default: 3 (1 with --cluster, which runs one seed).")]
        public int? Seeds { get; init; }

        [CommandOption("--cluster <ADDRESS>")]
        [Description("Answer on an Orleans cluster of `rmas silo` processes: localhost:GATEWAY[[,GATEWAY…]] or redis://HOST:PORT. Runs the recursive method for one round count and seed, journals each finished question (--journal) and resumes from the journal.")]
        public string? Cluster { get; init; }

        [CommandOption("--cluster-id <ID>")]
        [Description("Orleans cluster id of --cluster.")]
        [DefaultValue(ClusterConnection.DefaultClusterId)]
        public string ClusterId { get; init; } = ClusterConnection.DefaultClusterId;

        [CommandOption("--journal <FILE>")]
        [Description("Results journal of --cluster (default OUT/journal.jsonl): one line per finished question; the same command run again resumes from it.")]
        public string? Journal { get; init; }

        [CommandOption("--in-flight <N>")]
        [Description("Questions in progress at once on the cluster (default: two per silo).")]
        public int? InFlight { get; init; }

        [CommandOption("--limit <N>")]
        [Description("Only the first N questions.")]
        public int? Limit { get; init; }

        [CommandOption("--batch-size|--batch <N>")]
        [Description("Questions in progress together: a continuous batch for recursive, fixed batches for the baselines. Answers do not depend on it.")]
        [DefaultValue(16)]
        public int Batch { get; init; } = 16;

        [CommandOption("--temperature <T>")]
        [Description("Decoding temperature overriding the system's: 0 (greedy) to 2.")]
        public double? Temperature { get; init; }

        [CommandOption("--max-new-tokens <N>")]
        [Description("Final-answer token budget overriding the system's.")]
        public int? MaxNewTokens { get; init; }

        [CommandOption("--sft-model <DIR>")]
        [Description("Fine-tuned decoder for method sft (rmas pretrain --from ...).")]
        public string? SftModel { get; init; }

        [CommandOption("--lora-adapter <DIR>")]
        [Description("The decoder's LoRA adapter (PEFT layout) for method lora (rmas pretrain --from ... --lora-rank R).")]
        public string? LoraAdapter { get; init; }

        [CommandOption("--untrained")]
        [Description("Run links that have no file from their seeded default initialization.")]
        public bool Untrained { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Folder for comparison.json and comparison.png.")]
        public string? Out { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(System))
                return ValidationResult.Error("--system is required");
            if (string.IsNullOrWhiteSpace(Data))
                return ValidationResult.Error("--data is required");
            if (Cluster is not null)
            {
                if (MethodList is not ["recursive"])
                    return ValidationResult.Error("--cluster runs the recursive method only (--methods recursive)");
                if (Rounds is not null && RoundList is not [_])
                    return ValidationResult.Error("--cluster runs one round count (--rounds N)");
                if (Seeds is not (null or 1))
                    return ValidationResult.Error("--cluster runs one seed (--seeds 1)");
                if (Journal is null && Out is null)
                    return ValidationResult.Error("--cluster needs --journal FILE or --out DIR (the journal is OUT/journal.jsonl)");
                if (InFlight is < 1)
                    return ValidationResult.Error("--in-flight must be at least 1");
            }
            if (SeedCount < 1 || Batch < 1 || Limit is < 1 || MaxNewTokens is < 1 || Samples < 1)
                return ValidationResult.Error("--seeds, --batch, --limit, --samples and --max-new-tokens must be at least 1");
            // The server's and rmas generate's rule: a temperature of 3 is noise, not a setting to compare methods at.
            if (Temperature is double t && SamplingRange.Temperature.Refusal("--temperature", t) is { } hot)
                return ValidationResult.Error(hot);
            if (Checker.Trim().ToLowerInvariant() is not ("strict" or "lenient"))
                return ValidationResult.Error($"--checker takes strict or lenient, not \"{Checker}\"");
            if (Benchmark is { } b && !BenchmarkInfo.Names.Contains(b.Trim().ToLowerInvariant()))
                return ValidationResult.Error($"--benchmark takes {string.Join(", ", BenchmarkInfo.Names)}; not \"{b}\"");
            var unknown = MethodList.Where(m => !ComparisonOptions.IsKnown(m)).ToList();
            if (MethodList.Count == 0 || unknown.Count > 0)
                return ValidationResult.Error($"--methods takes single, alone:AGENT, sft, lora, text, untrained, recursive; not \"{string.Join(",", unknown)}\"");
            if (RoundList is null)
                return ValidationResult.Error("--rounds must be comma-separated counts between 1 and 64");
            if (MethodList.Contains("sft") && SftModel is null)
                return ValidationResult.Error("method sft needs --sft-model");
            if (MethodList.Contains("lora") && LoraAdapter is null)
                return ValidationResult.Error("method lora needs --lora-adapter");
            return base.Validate();
        }

        public int SeedCount => Seeds ?? (Cluster is null ? 3 : 1);

        public IReadOnlyList<string> MethodList => [.. (Methods ?? (Cluster is null ? "single,text,recursive" : "recursive")).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

        public IReadOnlyList<int>? RoundList
        {
            get
            {
                var parts = (Rounds ?? "1,2,3").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var counts = new List<int>();
                foreach (var p in parts)
                {
                    if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n is < 1 or > 64)
                        return null;
                    counts.Add(n);
                }
                return counts.Count == 0 ? null : counts;
            }
        }
    }

    const string ComparisonFile = "comparison.json";
    const string ComparisonChartFile = "comparison.png";
    const string ClusterResultsFile = "cluster-results.json";

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Runtime.Configure(settings.Threads);
        // An evaluation runs for minutes to hours before it writes: an --out it cannot write fails now.
        if (settings.Out is { } outFolder)
            foreach (string file in settings.Cluster is null ? [ComparisonFile, ComparisonChartFile] : new[] { ClusterResultsFile })
                AtomicFile.CheckWritable(Path.Combine(outFolder, file));
        SystemSettings.PrintWarnings(SystemPlan.Build(SystemDescription.Load(settings.System)));
        if (settings.Cluster is not null)
            return EvalOnCluster(settings, cancellationToken).GetAwaiter().GetResult();
        var options = new ComparisonOptions
        {
            Methods = settings.MethodList,
            Rounds = settings.RoundList!,
            Seeds = settings.SeedCount,
            BatchSize = settings.Batch,
            Limit = settings.Limit,
            Temperature = settings.Temperature,
            MaxNewTokens = settings.MaxNewTokens,
            SftModel = settings.SftModel,
            LoraAdapter = settings.LoraAdapter,
            AllowUntrainedLinks = settings.Untrained,
            Benchmark = settings.Benchmark is null ? null : BenchmarkInfo.Parse(settings.Benchmark),
            ShuffleSeed = settings.ShuffleSeed,
            Checker = AnswerCheck.Parse(settings.Checker),
            Samples = settings.Samples,
            // As every command that loads models says it: on standard error, so the table (or JSON) stays as it is
            // (with a progress display, once it is done: below).
            OnLoadNote = note => SystemSettings.PrintNotes([note]),
        };
        ComparisonResult result = null!;
        if (settings.Json)
        {
            result = MethodComparison.Run(settings.System, settings.Data, options, cancellationToken);
        }
        else
        {
            // One unit per (method, round count, seed) run: single-agent methods have no round count.
            int runs = settings.MethodList.Sum(m => ComparisonOptions.IsSingleAgent(m) ? 1 : options.Rounds.Count) * settings.SeedCount;
            // A note written to standard error while the progress is on a terminal lands inside its live region, which
            // redraws over it (or under it): the notes wait until the display is done, in the order they came, and come
            // out before an error that ends the run.
            var notes = new List<string>();
            try
            {
                StepProgress.For(console)
                    .Start(progress =>
                    {
                        var task = progress.AddTask("evaluating", maxValue: runs);
                        result = MethodComparison.Run(settings.System, settings.Data, options with
                        {
                            OnRun = (method, rounds, run) =>
                            {
                                task.Increment(1);
                                task.Description = Markup.Escape($"evaluating · last: {method}{(rounds == 0 ? "" : $" n={rounds}")} seed {run.Seed}: {run.Correct}/{run.Questions} correct");
                            },
                            OnLoadNote = notes.Add,
                        }, cancellationToken);
                    });
            }
            finally
            {
                SystemSettings.PrintNotes(notes);
            }
        }

        string json = result.ToJson();
        if (settings.Out is { } outDir)
        {
            Directory.CreateDirectory(outDir);
            AtomicFile.WriteAllText(Path.Combine(outDir, ComparisonFile), json + "\n");
            ComparisonChart.Write(result, Path.Combine(outDir, ComparisonChartFile));
        }
        if (settings.Json)
        {
            ConsoleJson.Write(console, json);
            return ExitCodes.Success;
        }
        static string Format(ConfidenceInterval ci, string format) =>
            ci.Mean.ToString(format, CultureInfo.InvariantCulture) + " ± " + ci.HalfWidth.ToString(format, CultureInfo.InvariantCulture);
        string passColumn = $"pass@{settings.Samples} (95% CI)";
        var table = new Table().AddColumns("method", "n", settings.Samples > 1 ? "pass@1 (95% CI)" : "accuracy (95% CI)");
        if (settings.Samples > 1)
            table.AddColumn(passColumn);
        table.AddColumns("generated tokens / question", "seconds / question");
        foreach (var row in result.Rows)
        {
            var cells = new List<string> { row.Method, row.Rounds == 0 ? "—" : row.Rounds.ToString(CultureInfo.InvariantCulture), Format(row.Accuracy, "P1") };
            if (settings.Samples > 1)
                cells.Add(row.PassAt.TryGetValue(settings.Samples, out var pass) ? Format(pass, "P1") : "—");
            cells.Add(Format(row.TokensPerQuestion, "F1"));
            cells.Add(Format(row.SecondsPerQuestion, "F3"));
            table.AddRow([.. cells]);
        }
        console.Write(table);
        console.MarkupLine($"{result.Questions} questions · {settings.SeedCount} seed(s) × {settings.Samples} sample(s) · {result.Checker} checker" +
            (result.Benchmark is null ? "" : $" · {result.Benchmark}") + $" · temperature {result.Temperature.ToString(CultureInfo.InvariantCulture)}" +
            (settings.Out is null ? "" : $" · written to {Markup.Escape(Path.GetFullPath(settings.Out))}"));
        return ExitCodes.Success;
    }

    /// <summary>rmas eval --cluster: the recursive method on the cluster, journaled and resumable; writes OUT/cluster-results.json.</summary>
    async Task<int> EvalOnCluster(Settings settings, CancellationToken cancellationToken)
    {
        ClusterEval.CheckData(settings.Data);
        var address = ClusterAddress.Parse(settings.Cluster!);
        await using var connection = await ClusterConnection.ConnectAsync(address, settings.ClusterId, cancellationToken);
        await using var runner = await ClusterRunner.CreateAsync(connection.Client, settings.System, cancellationToken);
        string journal = settings.Journal ?? Path.Combine(settings.Out!, "journal.jsonl");
        if (!settings.Json)
            console.MarkupLine($"cluster {Markup.Escape(address.ToString())}: {runner.Silos.Count} silo(s) ({Markup.Escape(string.Join("; ", runner.Silos.Select(s => $"{s.Silo}: {string.Join(", ", s.Agents)}")))}), {runner.Routes.Count} route(s)");
        var result = await ClusterEval.RunAsync(runner, settings.System, settings.Data, new ClusterEvalOptions
        {
            Rounds = settings.Rounds is null ? null : settings.RoundList![0],
            Seed = 1,
            Limit = settings.Limit,
            Temperature = settings.Temperature,
            MaxNewTokens = settings.MaxNewTokens,
            Checker = AnswerCheck.Parse(settings.Checker),
            Benchmark = settings.Benchmark is null ? null : BenchmarkInfo.Parse(settings.Benchmark),
            ShuffleSeed = settings.ShuffleSeed,
            InFlight = settings.InFlight,
            JournalPath = journal,
            OnAnswered = settings.Json ? null : e => console.MarkupLine(Markup.Escape(
                $"question {e.Index}: {(e.Correct ? "correct" : "wrong")} ({e.Answer ?? "no answer"}) on {string.Join(", ", e.Silos)} in {e.Milliseconds / 1000:F2} s")),
        }, cancellationToken);
        string json = result.ToJson();
        if (settings.Out is { } outDir)
        {
            Directory.CreateDirectory(outDir);
            AtomicFile.WriteAllText(Path.Combine(outDir, ClusterResultsFile), json + "\n");
        }
        if (settings.Json)
        {
            ConsoleJson.Write(console, json);
            return ExitCodes.Success;
        }
        console.MarkupLine(Markup.Escape($"{result.Correct}/{result.Questions} correct ({result.Accuracy:P1}) · {result.Computed} computed now, {result.Resumed} from the journal {result.Journal} · " +
            $"{result.QuestionsPerSecond:F2} questions/s on {result.Silos.Count} silo(s)"));
        return ExitCodes.Success;
    }
}
