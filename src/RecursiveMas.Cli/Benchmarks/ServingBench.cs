using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
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
static class ServingBench
{
    public sealed record Row(string System, int Clients, int Requests, double QuestionsPerSecond, double P50Ms, double P95Ms,
        double MeanBatchRows, double ThroughputVsOneClient, double P95VsOneClientP50, long BatchesRunAlone);

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

    public static (IReadOnlyList<Row> Rows, IReadOnlyList<Work> Work) Run(string? zooSystem, bool quick, Action<string> log)
    {
        var rows = new List<Row>();
        var work = new List<Work>();
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
                rows.AddRange(Measure("system-bench", system, questions, quick, log));
                work.Add(WorkOf("system-bench", system, questions[0], log));
            }
            if (zooSystem is not null)
            {
                string data = TestData(zooSystem);
                using var zoo = RecursiveSystem.Load(zooSystem);
                string[] zooQuestions = [.. TaskDataFile.Read(data).Select(e => e.Question)];
                rows.AddRange(Measure("zoo-sequential", zoo, zooQuestions, quick, log));
                work.Add(WorkOf("zoo-sequential", zoo, zooQuestions[0], log));
            }
            return (rows, work);
        }
        finally
        {
            if (Directory.Exists(root))
                Directory.Delete(root, recursive: true);
        }
    }

    static IEnumerable<Row> Measure(string name, RecursiveSystem system, IReadOnlyList<string> questions, bool quick, Action<string> log) =>
        MeasureAsync(name, system, questions, quick, log).GetAwaiter().GetResult();

    static async Task<IReadOnlyList<Row>> MeasureAsync(string name, RecursiveSystem system, IReadOnlyList<string> questions, bool quick, Action<string> log)
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

        await Ask(questions[0]); // warm-up: first-call costs stay out of the figures
        var rows = new List<Row>();
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
            double seconds = watch.Elapsed.TotalSeconds;
            var sorted = latencies.Order().ToArray();
            double meanBatch = (double)(batcher.RowsRun - batchRows) / Math.Max(1, batcher.TurnsRun - turns);
            // A batch run again row by row is a bug that batching would hide in these figures: recorded, and a test holds it at 0.
            var row = new Row(name, clients, requests, requests / seconds, Percentile(sorted, 0.50), Percentile(sorted, 0.95), meanBatch, 1, 1,
                batcher.BatchesRunAlone - runAlone);
            if (rows.Count > 0)
                row = row with { ThroughputVsOneClient = row.QuestionsPerSecond / rows[0].QuestionsPerSecond, P95VsOneClientP50 = row.P95Ms / rows[0].P50Ms };
            else
                row = row with { P95VsOneClientP50 = row.P95Ms / row.P50Ms };
            rows.Add(row);
            log($"{name}, {clients} client(s): {requests} requests, {row.QuestionsPerSecond:F2} questions/s ({row.ThroughputVsOneClient:F2}x one client), " +
                $"latency p50 {row.P50Ms:F0} ms, p95 {row.P95Ms:F0} ms ({row.P95VsOneClientP50:F2}x one client's p50), mean batch {meanBatch:F1} rows" + (row.BatchesRunAlone > 0 ? $", {row.BatchesRunAlone} batch(es) run again row by row" : ""));
        }
        return rows;
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
