using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Runtime;
using RecursiveMas.Serving;
using RecursiveMas.Systems;
using RecursiveMas.Tasks;

namespace RecursiveMas.Cli.Benchmarks;

/// <summary>
/// The server under load: real HTTP to the server <c>rmas serve</c> runs (Kestrel on a loopback port, a
/// chat client over a <see cref="ContinuousBatcher"/>, one worker per batch row), with 1, 4, 16 and 32
/// clients each sending its questions one after another. Throughput is answered questions per second
/// of wall time; latency is each request's time from sending to the whole answer. The single client is
/// the one-at-a-time baseline the others are compared with. Run on the system-bench agents (random
/// weights, every answer the full 64 tokens) and on the zoo's Sequential system with its test questions.
/// </summary>
/// <remarks>
/// The figures are a warm server's steady state, measured so that one noisy stretch of a shared machine moves them
/// little: the load of every level runs first until the JIT goes quiet (<see cref="WarmUp"/>), then the levels are
/// measured <see cref="Repeats"/> times in turn (1, 4, 16, 32, 1, 4, …): each level's throughput is the median of
/// its repeats, its ratio to one client the median of the repeats' ratios, its latency percentiles over all of its requests. Measured with one warm-up question and one pass,
/// the JIT compiling each batch shape's code on its own thread fell inside the measured levels (a quarter of the CPU
/// samples of the 16-client one), and the one-client figure, which every ratio divides by, moved by 40 % between runs.
/// </remarks>
static class ServingBench
{
    /// <summary>
    /// One level: requests over all repeats, the median of the repeats' throughputs (each listed in
    /// <see cref="RepeatQuestionsPerSecond"/>, in the order run) and of their ratios to the single client's in the same
    /// repeat, latency percentiles over every request, and the
    /// weight FLOP/s that throughput is (<see cref="Work"/> per question times questions per second).
    /// </summary>
    public sealed record Row(string System, int Clients, int Requests, double QuestionsPerSecond, double P50Ms, double P95Ms,
        double MeanBatchRows, double ThroughputVsOneClient, double P95VsOneClientP50, long BatchesRunAlone,
        IReadOnlyList<double> RepeatQuestionsPerSecond, double WeightGflopPerSecond = 0);

    /// <summary>
    /// The most any batching could give a system here: its questions' weight FLOPs (<see cref="Work"/>; attention not
    /// counted, so the true bound is lower) at this machine's matrix-product peak, in questions per second and as a
    /// multiple of the single client's throughput. A level at or near it is bound by arithmetic, not by the server. The
    /// peak is the best of one measurement after each repeat: this VM's speed drifts (one run measured 189 GFLOP/s once
    /// at its end where others measured 368–393), and a bound must not be taken in a slow stretch.
    /// </summary>
    public sealed record Ceiling(string System, double GflopPerQuestion, double MatmulGflopPerSecond, double MostQuestionsPerSecond,
        double CeilingVsOneClient);

    /// <summary>
    /// The warm-up before a system's measurements: passes run (each every level's load once), methods the JIT compiled
    /// and its time in them, and whether the last pass was quiet (JIT time under <see cref="QuietJitShare"/> of its wall
    /// time; false when <see cref="MostWarmUpPasses"/> ran out first).
    /// </summary>
    public sealed record WarmUp(string System, int Passes, long MethodsCompiled, double JitSeconds, bool Quiet);

    /// <summary>
    /// What one question costs a system, from its run alone: positions its prompts read (text and message vectors;
    /// the prefix store computes fewer), latent steps and decoded tokens, and the weight FLOPs of each (2 per
    /// parameter outside the embeddings per position; attention not counted). A prefill multiplies every weight into
    /// many positions, so on agents of a few hundred dimensions it runs near the FMA units' peak for one question
    /// already, where a step is bound by memory and overhead: batching gains mostly on the steps there, and
    /// <see cref="PrefillShare"/> says how much of the work that leaves out. (Agents as small as the zoo's are bound by
    /// per-operation overhead even in a prefill, which batching also shares.)
    /// </summary>
    public sealed record Work(string System, int PrefillPositions, int LatentSteps, int GeneratedTokens,
        double PrefillGflop, double StepGflop, double PrefillShare);

    public static readonly int[] Clients = [1, 4, 16, 32];

    /// <summary>Times each level is measured (one with --quick).</summary>
    public const int Repeats = 3;

    /// <summary>A warm-up pass is quiet when the JIT spent less than this share of its wall time.</summary>
    public const double QuietJitShare = 0.01;

    /// <summary>The most warm-up passes for one system (measured: the system-bench went quiet in 3–4).</summary>
    public const int MostWarmUpPasses = 8;

    public static (IReadOnlyList<Row> Rows, IReadOnlyList<Work> Work, IReadOnlyList<WarmUp> WarmUps, IReadOnlyList<Ceiling> Ceilings) Run(
        string? zooSystem, bool quick, Action<string> log)
    {
        var rows = new List<Row>();
        var work = new List<Work>();
        var warmUps = new List<WarmUp>();
        var peaks = new List<double>();
        string root = Path.Combine(Path.GetTempPath(), "rmas-bench-serving-" + Environment.ProcessId);
        try
        {
            var description = SystemBench.Build(root, quick);
            using (var system = RecursiveSystem.Load(description, new SystemLoadOptions { AllowUntrainedLinks = true }))
            {
                string[] questions =
                [
                    "A shop sells 12 apples and 30 pears. How many fruits are there?",
                    "What is 7 times 8?",
                    "Tom has 5 marbles and finds 9 more, then gives 3 away. How many marbles does Tom have now?",
                    "Add 120 and 45.",
                ];
                rows.AddRange(Measure("system-bench", system, questions, quick, warmUps, peaks, log));
                work.Add(WorkOf("system-bench", system, questions[0], log));
            }
            if (zooSystem is not null)
            {
                string data = TestData(zooSystem);
                using var zoo = RecursiveSystem.Load(zooSystem);
                string[] zooQuestions = [.. TaskDataFile.Read(data).Select(e => e.Question)];
                rows.AddRange(Measure("zoo-sequential", zoo, zooQuestions, quick, warmUps, peaks, log));
                work.Add(WorkOf("zoo-sequential", zoo, zooQuestions[0], log));
            }
            double matmul = peaks.Max();
            var ceilings = new List<Ceiling>();
            foreach (var w in work)
            {
                double perQuestion = w.PrefillGflop + w.StepGflop, most = matmul / perQuestion;
                var one = rows.First(r => r.System == w.System);
                ceilings.Add(new Ceiling(w.System, perQuestion, matmul, most, most / one.QuestionsPerSecond));
                log($"{w.System}: {perQuestion:F2} GFLOP of weights per question at the matmul peak of {matmul:F0} GFLOP/s is at most " +
                    $"{most:F2} questions/s, {most / one.QuestionsPerSecond:F2}x one client; measured " +
                    string.Join(", ", rows.Where(r => r.System == w.System).Select(r => $"{r.QuestionsPerSecond * perQuestion:F0} GFLOP/s at {r.Clients}")));
            }
            rows = [.. rows.Select(r => r with { WeightGflopPerSecond = r.QuestionsPerSecond * ceilings.First(c => c.System == r.System).GflopPerQuestion })];
            return (rows, work, warmUps, ceilings);
        }
        finally
        {
            if (Directory.Exists(root))
                Directory.Delete(root, recursive: true);
        }
    }

    static IEnumerable<Row> Measure(string name, RecursiveSystem system, IReadOnlyList<string> questions, bool quick, List<WarmUp> warmUps,
        List<double> peaks, Action<string> log) =>
        MeasureAsync(name, system, questions, quick, warmUps, peaks, log).GetAwaiter().GetResult();

    static async Task<IReadOnlyList<Row>> MeasureAsync(string name, RecursiveSystem system, IReadOnlyList<string> questions, bool quick,
        List<WarmUp> warmUps, List<double> peaks, Action<string> log)
    {
        int[] levels = quick ? [1, 4] : Clients;
        int rowsMax = levels.Max();
        await using var server = await BenchServer.Start(system, maxBatch: rowsMax, maxQueue: 2 * rowsMax);
        var batcher = server.Batcher;
        var http = server.Http;

        async Task<double> Ask(string question)
        {
            var watch = Stopwatch.StartNew();
            using var response = await http.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = question } } });
            string body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"the server answered {(int)response.StatusCode}: {body}");
            return watch.Elapsed.TotalMilliseconds;
        }

        warmUps.Add(await WarmUpAsync(name, levels, questions, Ask, log));

        // Each repeat measures every level in turn, so a noisy stretch of the machine falls on all of them alike.
        var measured = levels.ToDictionary(c => c, _ => new List<Measured>());
        for (int repeat = 0; repeat < (quick ? 1 : Repeats); repeat++)
        {
            foreach (int clients in levels)
            {
                int requests = quick ? Math.Max(2, clients) : Math.Max(16, 2 * clients);
                long turns = batcher.TurnsRun, batchRows = batcher.RowsRun, runAlone = batcher.BatchesRunAlone;
                var latencies = new ConcurrentBag<double>();
                int next = -1;
                var watch = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
                {
                    for (int i = Interlocked.Increment(ref next); i < requests; i = Interlocked.Increment(ref next))
                        latencies.Add(await Ask(questions[i % questions.Count]));
                })));
                var run = new Measured(requests / watch.Elapsed.TotalSeconds, [.. latencies], batcher.TurnsRun - turns,
                    batcher.RowsRun - batchRows, batcher.BatchesRunAlone - runAlone);
                measured[clients].Add(run);
                log($"{name}, {clients} client(s), repeat {repeat + 1}: {requests} requests, {run.QuestionsPerSecond:F2} questions/s");
            }
            // The machine's matrix-product rate in this stretch (see Ceiling), on a thread that ends, as the work count (WorkOf).
            peaks.Add(ThreadThatEnds.Run("rmas bench matmul peak", () => RolloutBench.MatmulRate(quick)));
        }

        var rows = new List<Row>();
        foreach (int clients in levels)
        {
            var runs = measured[clients];
            var sorted = runs.SelectMany(r => r.Latencies).Order().ToArray();
            var throughputs = runs.Select(r => r.QuestionsPerSecond).ToList();
            double meanBatch = (double)runs.Sum(r => r.Rows) / Math.Max(1, runs.Sum(r => r.Turns));
            // A batch run again row by row is a bug that batching would hide in these figures: recorded, and a test holds it at 0.
            var row = new Row(name, clients, sorted.Length, BenchTiming.Median(throughputs), Percentile(sorted, 0.50), Percentile(sorted, 0.95), meanBatch, 1, 1,
                runs.Sum(r => r.RunAlone), throughputs);
            // The ratio within each repeat (its levels ran a minute apart at most), then their median: the machine's
            // speed drifts between repeats, and a ratio of medians would divide figures of different stretches.
            if (rows.Count > 0)
                row = row with
                {
                    ThroughputVsOneClient = BenchTiming.Median(throughputs.Select((t, i) => t / rows[0].RepeatQuestionsPerSecond[i])),
                    P95VsOneClientP50 = row.P95Ms / rows[0].P50Ms,
                };
            else
                row = row with { P95VsOneClientP50 = row.P95Ms / row.P50Ms };
            rows.Add(row);
            log($"{name}, {clients} client(s): {row.Requests} requests, {row.QuestionsPerSecond:F2} questions/s (median of " +
                $"{string.Join(", ", throughputs.Select(t => t.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}; " +
                $"{row.ThroughputVsOneClient:F2}x one client), latency p50 {row.P50Ms:F0} ms, p95 {row.P95Ms:F0} ms " +
                $"({row.P95VsOneClientP50:F2}x one client's p50), mean batch {meanBatch:F1} rows" +
                (row.BatchesRunAlone > 0 ? $", {row.BatchesRunAlone} batch(es) run again row by row" : ""));
        }
        return rows;
    }

    /// <summary>One level's measurement in one repeat.</summary>
    sealed record Measured(double QuestionsPerSecond, double[] Latencies, long Turns, long Rows, long RunAlone);

    /// <summary>
    /// Runs every level's load (that many requests at once) until a pass leaves the JIT quiet: the figures are a warm
    /// server's, and the JIT re-compiles hot code at tier 1 on a thread of its own for seconds after the first calls.
    /// </summary>
    static async Task<WarmUp> WarmUpAsync(string name, int[] levels, IReadOnlyList<string> questions, Func<string, Task<double>> ask, Action<string> log)
    {
        long firstCompiled = JitInfo.GetCompiledMethodCount();
        var firstJit = JitInfo.GetCompilationTime();
        int passes = 0;
        bool quiet = false;
        while (!quiet && passes < MostWarmUpPasses)
        {
            var jit = JitInfo.GetCompilationTime();
            var watch = Stopwatch.StartNew();
            foreach (int clients in levels)
                await Task.WhenAll(Enumerable.Range(0, clients).Select(i => ask(questions[i % questions.Count])));
            passes++;
            quiet = (JitInfo.GetCompilationTime() - jit).TotalSeconds < QuietJitShare * watch.Elapsed.TotalSeconds;
        }
        var warmUp = new WarmUp(name, passes, JitInfo.GetCompiledMethodCount() - firstCompiled, (JitInfo.GetCompilationTime() - firstJit).TotalSeconds, quiet);
        log($"{name}: warmed up in {passes} pass(es) over every level, the JIT compiling {warmUp.MethodsCompiled:N0} methods in {warmUp.JitSeconds:F1} s" +
            (quiet ? "" : $"; not quiet after {MostWarmUpPasses} passes"));
        return warmUp;
    }


    /// <summary>One question's <see cref="Work"/>, counted from its run's steps (after the measurements: the run fills prefix stores).</summary>
    static Work WorkOf(string name, RecursiveSystem system, string question, Action<string> log)
    {
        // Not on this thread, which lives on: its OpenMP team would slow the next system's measurements (ThreadThatEnds).
        var result = ThreadThatEnds.Run("rmas bench work count", () => RecursiveRunner.Solve(system, question));
        double prefill = 0, steps = 0;
        foreach (var step in result.Steps)
        {
            var config = system.Agent(step.Agent).Model.Config;
            double perPosition = 2.0 * config.ProjectedParameterCount / 1e9;
            prefill += perPosition * step.PrefillTokens;
            steps += perPosition * (step.LatentSteps + step.GeneratedTokens);
        }
        var work = new Work(name, result.PrefillTokens, result.Steps.Sum(s => s.LatentSteps), result.Steps.Sum(s => s.GeneratedTokens),
            prefill, steps, prefill / (prefill + steps));
        log($"{name}, one question: prompts read {work.PrefillPositions} positions ({prefill:F2} GFLOP of weights), " +
            $"{work.LatentSteps} latent steps and {work.GeneratedTokens} tokens ({steps:F2} GFLOP): prefill {work.PrefillShare:P0} of the weight FLOPs");
        return work;
    }

    /// <summary>The test questions beside a zoo-like SYSTEM.json: data/arithmetic/test.jsonl.</summary>
    public static string TestData(string systemPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(systemPath))!, "data", "arithmetic", "test.jsonl");

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
