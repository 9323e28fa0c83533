using System.Diagnostics;
using RecursiveMas.Models;
using RecursiveMas.Systems;
using RecursiveMas.Training;
using static TorchSharp.torch;

namespace RecursiveMas.Cli.Benchmarks;

/// <summary>
/// The cost of outer-loop training: one optimizer step (n = 3 rounds unrolled, teacher and rollout
/// messages, gradients through the frozen models into the links) against one forward + backward of
/// the same frozen models without links — each agent once over its prompt and role text, the
/// gradient taken to its input embeddings. Same agents as the system suite (Llama d=256, Qwen3
/// d=384, Qwen2 d=512, 4 layers, m = 32), batch 2. Peak memory is the process's resident high-water
/// mark, reset (Linux <c>/proc/self/clear_refs</c>) before each measurement.
/// </summary>
static class TrainingBench
{
    public sealed record Row(string Measure, double StepMs, long PeakMemoryBytes, double TimeRatio, double MemoryRatio);

    /// <summary>Gradient norm one outer link receives from its use in one round (PAPER §5.2's per-round measurement).</summary>
    public sealed record RoundRow(string MessageSource, string Link, int Round, double GradientNorm);

    const int Batch = 2;

    static IReadOnlyList<TrainingExample> Data() =>
    [
        .. Enumerable.Range(0, 4).Select(i => new TrainingExample(
            $"A shop sells {12 + i} apples and 30 pears. How many fruits are there?",
            new Dictionary<string, string>
            {
                ["Planner"] = "Step 1: read the question. Step 2: add the apples and the pears. Step 3: check the sum and write the answer.",
                ["Critic"] = "The plan is right: add the two numbers, then check the arithmetic once more before answering.",
            },
            $"Adding {12 + i} and 30 gives {42 + i}. The final answer is \\boxed{{{42 + i}}}.")),
    ];

    public static (IReadOnlyList<Row> Rows, IReadOnlyList<RoundRow> Rounds) Run(bool quick, Action<string> log)
    {
        string root = Path.Combine(Path.GetTempPath(), "rmas-bench-training-" + Environment.ProcessId);
        try
        {
            var description = SystemBench.Build(root, quick);
            using var system = RecursiveSystem.Load(description, new SystemLoadOptions { AllowUntrainedLinks = true });
            var data = Data();
            int steps = quick ? 2 : 4;
            log($"agents: {string.Join(", ", system.Agents.Select(a => $"{a.Name} (d={a.HiddenSize}, m={a.LatentSteps})"))}; batch {Batch}; n = 3 rounds; median of {steps - 1} interleaved pairs");

            // Each outer step is timed right after a baseline run and the ratio taken per pair, so load
            // from other jobs on a shared machine (which drifts over minutes) hits both sides alike.
            ResetPeak();
            FrozenForwardBackward(system, data); // warm-up
            long basePeak = RunRecorder.PeakMemoryBytes();
            var rows = new List<Row>();
            var baseTimes = new List<double>();
            foreach (var source in new[] { MessageSource.Teacher, MessageSource.Rollout })
            {
                var times = new List<double>();
                var ratios = new List<double>();
                long peak = 0;
                for (int pair = 0; pair < steps; pair++)
                {
                    var watch = Stopwatch.StartNew();
                    FrozenForwardBackward(system, data);
                    double baseMs = watch.Elapsed.TotalMilliseconds;
                    baseTimes.Add(baseMs);
                    ResetPeak();
                    TimeSpan? elapsed = null;
                    LinkTrainer.TrainOuter(system, data, new TrainingOptions
                    {
                        MessageSource = source,
                        Rounds = 3,
                        Steps = 1,
                        BatchSize = Batch,
                        WarmupSteps = 0,
                        DiagnoseEvery = 0,
                        OnProgress = p => elapsed = p.Elapsed,
                    });
                    peak = Math.Max(peak, RunRecorder.PeakMemoryBytes());
                    if (pair == 0)
                        continue; // the first step pays one-time costs (fused weights, allocator growth)
                    times.Add(elapsed!.Value.TotalMilliseconds);
                    ratios.Add(elapsed.Value.TotalMilliseconds / baseMs);
                }
                double ms = BenchTiming.Median(times);
                var row = new Row($"outer step, {source.ToString().ToLowerInvariant()} messages, 3 rounds", ms, peak, BenchTiming.Median(ratios), (double)peak / basePeak);
                rows.Add(row);
                log($"{row.Measure}: {ms:F0} ms ({row.TimeRatio:F1}x the frozen forward+backward timed next to it), peak {peak / 1e6:F0} MB ({row.MemoryRatio:F2}x)");
            }
            rows.Insert(0, new("frozen forward+backward, no links", BenchTiming.Median(baseTimes), basePeak, 1, 1));
            log($"frozen forward+backward (each agent once, no links): {rows[0].StepMs:F0} ms median, peak {basePeak / 1e6:F0} MB");

            // One more step per message source with the per-round diagnostic on (not timed).
            var rounds = new List<RoundRow>();
            foreach (var source in new[] { MessageSource.Teacher, MessageSource.Rollout })
            {
                LinkTrainer.TrainOuter(system, data, new TrainingOptions
                {
                    MessageSource = source,
                    Rounds = 3,
                    Steps = 1,
                    BatchSize = Batch,
                    WarmupSteps = 0,
                    DiagnoseEvery = 1,
                    OnProgress = p => rounds.AddRange(p.RoundGradients.Select(g => new RoundRow(source.ToString().ToLowerInvariant(), g.Link, g.Round, g.Norm))),
                });
            }
            foreach (var r in rounds)
                log($"{r.MessageSource}: gradient reaching {r.Link} from round {r.Round}: {r.GradientNorm:E2}");
            return (rows, rounds);
        }
        finally
        {
            if (Directory.Exists(root))
                Directory.Delete(root, recursive: true);
        }
    }


    /// <summary>Each agent once: its prompt and role text as token ids, forward, next-token loss, backward to the input embeddings.</summary>
    static void FrozenForwardBackward(RecursiveSystem system, IReadOnlyList<TrainingExample> data)
    {
        using var scope = NewDisposeScope();
        foreach (var agent in system.Agents)
        {
            var prompt = agent.PromptFor(1, decode: agent.Name == system.Plan.Decoder);
            var rows = data.Take(Batch).Select(e => agent.Tokenizer.Encode(prompt.RenderWithText(e.Question, _ => "") +
                (e.RoleTargets.TryGetValue(agent.Name, out var target) ? target : e.Answer)).Select(i => (long)i).ToArray()).ToList();
            int length = rows.Min(r => r.Length);
            var ids = stack([.. rows.Select(r => tensor(r[..length]))]);
            var embeddings = agent.Model.Embed(ids).detach().requires_grad_(true);
            var hidden = agent.Model.Forward(new ForwardInput { InputEmbeddings = embeddings }).Hidden;
            var logits = agent.Model.Logits(hidden.narrow(1, 0, length - 1));
            var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), ids.narrow(1, 1, length - 1).reshape(-1));
            loss.backward();
        }
    }

    /// <summary>Resets the resident-memory high-water mark (Linux); elsewhere the peak stays process-wide.</summary>
    static void ResetPeak()
    {
        GC.Collect();
        try
        {
            if (OperatingSystem.IsLinux())
                File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Debug.WriteLine($"peak memory not reset: {e.Message}");
        }
    }
}
