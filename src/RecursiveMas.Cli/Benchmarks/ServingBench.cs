using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
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

    public static readonly int[] Clients = [1, 4, 16, 32];

    public static IReadOnlyList<Row> Run(string? zooSystem, bool quick, Action<string> log)
    {
        var rows = new List<Row>();
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
            }
            if (zooSystem is not null)
            {
                string data = TestData(zooSystem);
                using var zoo = RecursiveSystem.Load(zooSystem);
                rows.AddRange(Measure("zoo-sequential", zoo, [.. TaskDataFile.Read(data).Select(e => e.Question)], quick, log));
            }
            return rows;
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

    /// <summary>The test questions beside a zoo-like SYSTEM.json: data/arithmetic/test.jsonl.</summary>
    public static string TestData(string systemPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(systemPath))!, "data", "arithmetic", "test.jsonl");

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
