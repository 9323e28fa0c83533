using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using RecursiveMas.Cluster;
using RecursiveMas.Systems;
using static TorchSharp.torch;

namespace RecursiveMas.Cli.Benchmarks;

/// <summary>
/// <c>rmas bench --suite cluster</c>: what distribution costs and buys on this machine. Silos are real
/// <c>rmas silo</c> processes on localhost (one torch thread each), started and stopped by the bench.
/// <list type="bullet">
/// <item>Per hop: a latent message's way from tensor to tensor across processes — tensor → payload, Orleans
/// serialization, loopback TCP, the silo's reply — for the system's own messages and the paper's 32 × 2560
/// bfloat16 one, against an agent turn's compute (the silos' own step times).</item>
/// <item>Eval throughput with 1, 2 and 3 silos as replicas (questions fanned out), and with the agents spread
/// one per silo (pipeline); expected figures from the measured compute and per-hop cost.</item>
/// </list>
/// On a machine with fewer cores than silos the processes share the cores: expect no gain past the core count.
/// </summary>
static class ClusterBench
{
    public sealed record HopRow(string Message, string DType, string Shape, long Bytes, double TensorToPayloadMs, double SerializerRoundTripMs,
        double CallWithPayloadMs, double EmptyCallMs, double PerHopMs);

    public sealed record TurnRow(int Questions, double LatentTurnComputeMs, double DecodeComputeMs, double TurnsPerQuestion,
        double QuestionComputeMs, double MeasuredCallOverheadMs, double OverheadShareOfTurn,
        IReadOnlyDictionary<string, double> ComputeMsPerQuestionByAgent, IReadOnlyDictionary<string, double> TurnsPerQuestionByAgent);

    public sealed record ThroughputRow(string Layout, int Silos, int InFlight, int Questions, double Seconds, double QuestionsPerSecond,
        double SpeedupVsOneSilo, double ExpectedQuestionsPerSecond, double ExpectedWithoutCoreLimit);

    public sealed record Result(int Cores, string Caveat, IReadOnlyList<HopRow> Hops, TurnRow Turns, IReadOnlyList<ThroughputRow> Throughput);

    public static Result Run(string systemPath, IReadOnlyList<string> questions, bool quick, Action<string> log)
    {
        int cores = Environment.ProcessorCount;
        var description = SystemDescription.Load(systemPath);
        var agents = description.Agents.Select(a => a.Name).ToList();
        // Three disjoint sets: warm-up, the turns' measure, the throughput runs. A question seen before would read
        // its prompt prefixes from the silos' caches and look cheaper than it is.
        int count = Math.Min((questions.Count - 8) / 2, quick ? 6 : 24);
        if (count < 2)
            throw new ArgumentException($"the cluster bench needs at least 12 questions; the data has {questions.Count}");
        var warmup = questions.Take(8).ToList();
        var measured = questions.Skip(8).Take(count).Select((q, i) => (i, q)).ToList();
        var asked = questions.Skip(8 + count).Take(count).Select((q, i) => (i, q)).ToList();

        // 1. One silo with the whole system: hop costs, and the turns' compute with one question at a time.
        HopRow[] hops;
        TurnRow turns;
        double oneSiloQps;
        var throughput = new List<ThroughputRow>();
        using (var one = BenchSilos.Start(systemPath, [("s1", agents)], log))
        {
            var (runner, connection) = one.Connect();
            try
            {
                hops = MeasureHops(description, connection.Client, quick, log);
                turns = MeasureTurns(runner, warmup, measured, log);
                var row = Throughput(runner, "replicas", 1, warmup, asked, 2, null, turns, hops, cores, log);
                oneSiloQps = row.QuestionsPerSecond;
                throughput.Add(row);
            }
            finally
            {
                runner.DisposeAsync().AsTask().GetAwaiter().GetResult();
                connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        // 2. Replicas: 2 and 3 whole systems. 3. Pipeline: one agent per silo (up to 3 silos).
        var layouts = new List<(string Layout, (string, IReadOnlyList<string>)[] Silos)>
        {
            ("replicas", [("r1", agents), ("r2", agents)]),
            ("replicas", [("r1", agents), ("r2", agents), ("r3", agents)]),
        };
        if (agents.Count <= 3)
            layouts.Add(("pipeline", [.. agents.Select((a, i) => ($"p{i + 1}", (IReadOnlyList<string>)[a]))]));
        foreach (var (layout, silos) in layouts)
        {
            using var cluster = BenchSilos.Start(systemPath, silos, log);
            var (runner, connection) = cluster.Connect();
            try
            {
                throughput.Add(Throughput(runner, layout, silos.Length, warmup, asked, 2 * silos.Length, oneSiloQps, turns, hops, cores, log));
            }
            finally
            {
                runner.DisposeAsync().AsTask().GetAwaiter().GetResult();
                connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        string caveat = $"{cores} core(s) here: every silo is a process on this machine with one torch thread, so more silos than cores share them; " +
            "expected_questions_per_second = min(silos, cores) / (question compute + its hops' cost), what separate machines would give up to the core limit.";
        return new Result(cores, caveat, hops, turns, throughput);
    }

    /// <summary>Each message shape of the system (sender's m × receiver's d, the models' dtype) and the paper's 32 × 2560 bf16.</summary>
    static HopRow[] MeasureHops(SystemDescription description, IClusterClient client, bool quick, Action<string> log)
    {
        var plan = SystemPlan.Build(description);
        string root = Path.GetFullPath(Path.Combine(description.BaseDirectory, description.ModelRoot));
        int Hidden(string agent) => Models.ModelConfig.Load(Path.Combine(root, description.Agent(agent).Model)).HiddenSize;
        var shapes = plan.Edges.Select(e => (Name: $"{e.From}→{e.To}", M: description.Agent(e.From).LatentSteps, D: Hidden(e.To), DType: ScalarType.Float32))
            .DistinctBy(s => (s.M, s.D)).ToList();
        shapes.Add(("paper 32×2560 bf16", 32, 2560, ScalarType.BFloat16));
        var serializer = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(LatentPayload).Assembly)).BuildServiceProvider().GetRequiredService<Serializer>();
        var silo = client.GetGrain<ISiloInfoGrain>("s1");
        var empty = new LatentPayload { DType = ScalarType.Float32, Shape = [0], Bytes = [] };
        int repetitions = quick ? 20 : 200;
        var rows = new List<HopRow>();
        foreach (var (name, m, d, dtype) in shapes)
        {
            using var tensor = randn([1, m, d]).to(dtype);
            var payload = LatentPayload.From(tensor);
            double toPayload = BenchTiming.MedianMilliseconds(() =>
            {
                using var back = LatentPayload.From(tensor).ToTensor(CPU);
            }, repetitions, warmups: 5);
            double serialized = BenchTiming.MedianMilliseconds(() => serializer.Deserialize<LatentPayload>(serializer.SerializeToArray(payload)), repetitions, warmups: 5);
            double call = BenchTiming.MedianMilliseconds(() => silo.Receive(payload).GetAwaiter().GetResult(), repetitions, warmups: 5);
            double emptyCall = BenchTiming.MedianMilliseconds(() => silo.Receive(empty).GetAwaiter().GetResult(), repetitions, warmups: 5);
            // A hop: tensor → payload on the sender, the call carrying it (Orleans serializes both ways), payload → tensor.
            var row = new HopRow(name, dtype.ToString(), $"[1, {m}, {d}]", payload.Bytes.Length, toPayload, serialized, call, emptyCall, toPayload + call);
            log($"hop {name}: {row.Bytes} bytes, tensor↔payload {toPayload:F3} ms, serializer round trip {serialized:F3} ms, call {call:F3} ms (empty {emptyCall:F3} ms)");
            rows.Add(row);
        }
        return [.. rows];
    }

    /// <summary>Questions one at a time on one silo: the silo's step times and the client's call times of each turn.</summary>
    static TurnRow MeasureTurns(ClusterRunner runner, IReadOnlyList<string> warmup, IReadOnlyList<(int Index, string Question)> asked, Action<string> log)
    {
        foreach (var q in warmup.Take(2))
            runner.SolveAsync(q, null, 0).GetAwaiter().GetResult();
        var answers = asked.Select(q => runner.SolveAsync(q.Question, null, 0).GetAwaiter().GetResult()).ToList();
        var latent = answers.SelectMany(a => a.Steps.Where(s => s.Kind == StepKind.Latent)).Select(s => s.Milliseconds).ToList();
        var decode = answers.SelectMany(a => a.Steps.Where(s => s.Kind == StepKind.Decode)).Select(s => s.Milliseconds).ToList();
        var overhead = answers.SelectMany(a => a.Steps.Zip(a.CallMilliseconds, (s, call) => call - s.Milliseconds)).ToList();
        double perQuestion = answers.Average(a => a.Steps.Sum(s => s.Milliseconds));
        var byAgent = answers.SelectMany(a => a.Steps).GroupBy(s => s.Agent).ToDictionary(g => g.Key, g => g.Sum(s => s.Milliseconds) / answers.Count);
        var turnsByAgent = answers.SelectMany(a => a.Steps).GroupBy(s => s.Agent).ToDictionary(g => g.Key, g => (double)g.Count() / answers.Count);
        var row = new TurnRow(answers.Count, latent.Average(), decode.Average(), answers.Average(a => a.Steps.Count), perQuestion, overhead.Average(),
            overhead.Average() / (latent.Concat(decode).Average()), byAgent, turnsByAgent);
        log($"turns: latent {row.LatentTurnComputeMs:F1} ms, decode {row.DecodeComputeMs:F1} ms, {row.TurnsPerQuestion:F1} turns and {perQuestion:F0} ms of compute per question; " +
            $"call overhead {row.MeasuredCallOverheadMs:F2} ms per turn ({row.OverheadShareOfTurn:P1} of a turn)");
        return row;
    }

    static ThroughputRow Throughput(ClusterRunner runner, string layout, int silos, IReadOnlyList<string> warmup, IReadOnlyList<(int Index, string Question)> asked,
        int inFlight, double? oneSiloQps, TurnRow turns, HopRow[] hops, int cores, Action<string> log)
    {
        // Warm every route (JIT, first allocations) with questions of the warm-up set, then measure.
        foreach (var k in Enumerable.Range(0, runner.Routes.Count))
            runner.SolveAsync(warmup[2 + k % (warmup.Count - 2)], null, k).GetAwaiter().GetResult();
        var watch = Stopwatch.StartNew();
        runner.SolveManyAsync(asked, null, inFlight).GetAwaiter().GetResult();
        double seconds = watch.Elapsed.TotalSeconds;
        double qps = asked.Count / seconds;
        // Each turn is one call carrying the system's messages: the measured call overhead is the hop cost in use.
        double questionMs = turns.QuestionComputeMs + turns.TurnsPerQuestion * Math.Max(0, turns.MeasuredCallOverheadMs);

        double overhead = Math.Max(0, turns.MeasuredCallOverheadMs);
        // Replicas each run whole questions; a pipeline runs at its slowest stage's rate (one agent per silo).
        double expectedUnlimited = layout == "pipeline"
            ? 1000 / turns.ComputeMsPerQuestionByAgent.Max(a => a.Value + turns.TurnsPerQuestionByAgent[a.Key] * overhead)
            : silos * 1000 / questionMs;
        // Processes sharing the cores: no more than `cores` questions' compute at once.
        double expected = Math.Min(expectedUnlimited, Math.Min(silos, cores) * 1000 / questionMs);
        var row = new ThroughputRow(layout, silos, inFlight, asked.Count, seconds, qps, oneSiloQps is { } one ? qps / one : 1, expected, expectedUnlimited);
        log($"{layout} on {silos} silo(s), {inFlight} in flight: {qps:F2} questions/s (expected {expected:F2} on {cores} cores, {expectedUnlimited:F2} on {silos} machines)");
        return row;
    }

    /// <summary>Silo processes of the bench (this rmas, <c>rmas silo</c>), killed on dispose.</summary>
    sealed class BenchSilos : IDisposable
    {
        private readonly List<Process> _processes = [];
        private readonly string _systemPath;
        private readonly List<int> _gateways = [];

        BenchSilos(string systemPath) => _systemPath = systemPath;

        public static BenchSilos Start(string systemPath, IReadOnlyList<(string Name, IReadOnlyList<string> Agents)> silos, Action<string> log)
        {
            var started = new BenchSilos(systemPath);
            try
            {
                int primary = 0;
                for (int i = 0; i < silos.Count; i++)
                {
                    var ports = FreePorts(2);
                    if (i == 0)
                        primary = ports[0];
                    started._gateways.Add(ports[1]);
                    started.Launch(silos[i].Name, silos[i].Agents, i == 0 ? "localhost" : "localhost:" + primary.ToString(CultureInfo.InvariantCulture), ports[0], ports[1]);
                }
                log($"started {silos.Count} silo(s): {string.Join("; ", silos.Select(s => $"{s.Name}: {string.Join(", ", s.Agents)}"))}");
                return started;
            }
            catch
            {
                started.Dispose();
                throw;
            }
        }

        void Launch(string name, IReadOnlyList<string> agents, string cluster, int siloPort, int gatewayPort)
        {
            // This very rmas: the installed tool's own executable, else `dotnet rmas.dll` (a build, or a test host running the bench in-process).
            bool apphost = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "rmas";
            string host = apphost ? Environment.ProcessPath!
                : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet ? dotnet : "dotnet";
            var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            if (!apphost)
                start.ArgumentList.Add(typeof(ClusterBench).Assembly.Location);
            foreach (var arg in new[] { "silo", "--system", _systemPath, "--agents", string.Join(',', agents), "--name", name, "--cluster", cluster,
                "--silo-port", siloPort.ToString(CultureInfo.InvariantCulture), "--gateway-port", gatewayPort.ToString(CultureInfo.InvariantCulture),
                "--threads", "1", "--json" })
                start.ArgumentList.Add(arg);
            var process = Process.Start(start) ?? throw new InvalidOperationException("could not start rmas silo");
            _processes.Add(process);
            var stderr = process.StandardError.ReadToEndAsync();
            var ready = process.StandardOutput.ReadLineAsync();
            if (!ready.Wait(TimeSpan.FromSeconds(120)) || ready.Result is not { } line || !line.TrimStart().StartsWith('{'))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
                throw new InvalidOperationException($"silo {name} did not start: {(stderr.Wait(1000) ? stderr.Result : "")}");
            }
        }

        public (ClusterRunner Runner, ClusterConnection Connection) Connect()
        {
            var connection = ClusterConnection.ConnectAsync(new ClusterAddress { Ports = _gateways }).GetAwaiter().GetResult();
            try
            {
                return (ClusterRunner.CreateAsync(connection.Client, _systemPath).GetAwaiter().GetResult(), connection);
            }
            catch
            {
                connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }
        }

        static int[] FreePorts(int count)
        {
            var listeners = Enumerable.Range(0, count).Select(_ =>
            {
                var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
                l.Start();
                return l;
            }).ToList();
            var ports = listeners.Select(l => ((System.Net.IPEndPoint)l.LocalEndpoint).Port).ToArray();
            foreach (var l in listeners)
                l.Stop();
            return ports;
        }

        public void Dispose()
        {
            foreach (var process in Enumerable.Reverse(_processes))
            {
                try
                {
                    if (!process.HasExited)
                        process.Kill(entireProcessTree: true);
                    process.WaitForExit(10_000);
                }
                catch (InvalidOperationException)
                {
                }
                process.Dispose();
            }
        }
    }
}
