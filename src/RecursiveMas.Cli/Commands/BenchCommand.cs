using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using RecursiveMas.Cli.Benchmarks;
using RecursiveMas.IO;
using RecursiveMas.Models;
using RecursiveMas.Models.Kernels;
using RecursiveMas.Systems;
using RecursiveMas.Tasks;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RecursiveMas.Cli.Commands;

/// <summary>
/// <c>rmas bench</c>: the ratios the README reports, measured side by side in one run
/// (rollout: KV-cached vs reference latent rollout; system: RecursiveMAS vs Recursive-TextMAS;
/// training: an outer-loop step vs a frozen forward+backward).
/// </summary>
public sealed class BenchCommand(IAnsiConsole console) : Command<BenchCommand.Settings>
{
    public sealed class Settings : CommonSettings
    {
        [CommandOption("--suite <SUITE>")]
        [Description("rollout, system, training, serving, soak or cluster.")]
        public string Suite { get; init; } = "";

        [CommandOption("--requests <N>")]
        [Description("soak: requests to send (default 2000; 60 with --quick), 30% of them bad.")]
        public int? Requests { get; init; }

        [CommandOption("--concurrency <N>")]
        [Description("soak: concurrent clients, and the server's batch rows (default 16; 4 with --quick).")]
        public int? Concurrency { get; init; }

        [CommandOption("--system <FILE>")]
        [Description("serving: also measure this SYSTEM.json, soak: load this one instead of the bench agents; with the questions of data/arithmetic/test.jsonl beside it (default: examples/zoo/sequential.SYSTEM.json when present).")]
        public string? System { get; init; }

        [CommandOption("--quick")]
        [Description("Tiny models and steps: checks the suite runs, the figures mean nothing.")]
        public bool Quick { get; init; }

        [CommandOption("--out <FILE>")]
        [Description("Also write the JSON result to this file.")]
        public string? Out { get; init; }

        public override ValidationResult Validate() =>
            Suite is not ("rollout" or "system" or "training" or "serving" or "soak" or "cluster") ? ValidationResult.Error("--suite must be rollout, system, training, serving, soak or cluster")
            : Requests is < 1 || Concurrency is < 1 ? ValidationResult.Error("--requests and --concurrency must be at least 1")
            : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Runtime.Configure(settings.Threads);
        if (settings.Out is not null)
            AtomicFile.CheckWritable(settings.Out); // a suite runs for minutes before it writes
        Action<string> log = settings.Json ? _ => { }
        : line => console.MarkupLine(Markup.Escape(line));
        var result = new JsonObject
        {
            ["suite"] = settings.Suite,
            ["quick"] = settings.Quick,
            ["threads"] = TorchSharp.torch.get_num_threads(),
            ["kernels"] = CpuLinear.Code,
        };
        log($"kernels: {CpuLinear.Code}, threads {TorchSharp.torch.get_num_threads()}");
        var countersAtStart = ProcessCounters.Read();
        if (settings.Suite == "rollout")
        {
            var rows = RolloutBench.Run(settings.Quick, log);
            result["model_parameters"] = RolloutBench.Model(settings.Quick).ParameterCount;
            result["cached_vs_reference_speedup"] = new JsonObject(rows.Select(r => KeyValuePair.Create($"m{r.LatentSteps}", (JsonNode?)Math.Round(r.Speedup, 3))));
            result["rows"] = JsonSerializer.SerializeToNode(rows, JsonOptions);
            result["roofline"] = JsonSerializer.SerializeToNode(RolloutBench.MeasureRoofline(settings.Quick, log), JsonOptions);
            result["machine_load_average"] = LoadAverage();
        }
        else if (settings.Suite == "training")
        {
            var (rows, rounds) = TrainingBench.Run(settings.Quick, log);
            result["outer_step_vs_frozen_forward_backward"] = new JsonObject(rows.Skip(1).Select(r => KeyValuePair.Create(r.Measure, (JsonNode?)new JsonObject
            {
                ["time_ratio"] = Math.Round(r.TimeRatio, 2),
                ["memory_ratio"] = Math.Round(r.MemoryRatio, 2),
            })));
            result["rows"] = JsonSerializer.SerializeToNode(rows, JsonOptions);
            result["round_gradients"] = JsonSerializer.SerializeToNode(rounds, JsonOptions);
        }
        else if (settings.Suite == "soak")
        {
            string zoo = ZooSystem(settings) ?? throw new FileNotFoundException($"--system: the soak suite needs a system with task data; {ShippedZoo} is not here");
            using var system = RecursiveSystem.Load(zoo);
            var questions = TaskDataFile.Read(ServingBench.TestData(zoo)).Select(e => e.Question).Take(64).ToList();
            var soak = SoakBench.Run(system, Path.GetFileName(zoo), questions, settings.Requests ?? (settings.Quick ? 60 : 2000),
                settings.Concurrency ?? (settings.Quick ? 4 : 16), log);
            result["machine_load_average"] = LoadAverage();
            result["result"] = JsonSerializer.SerializeToNode(soak, JsonOptions);
        }
        else if (settings.Suite == "cluster")
        {
            string zoo = ZooSystem(settings) ?? throw new FileNotFoundException($"--system: the cluster suite needs a system with task data; {ShippedZoo} is not here");
            var questions = TaskDataFile.Read(ServingBench.TestData(zoo)).Select(e => e.Question).ToList();
            var cluster = ClusterBench.Run(zoo, questions, settings.Quick, log);
            result["system"] = Path.GetFileName(zoo);
            result["machine_load_average"] = LoadAverage();
            result["result"] = JsonSerializer.SerializeToNode(cluster, JsonOptions);
        }
        else if (settings.Suite == "serving")
        {
            var (rows, work, warmUps, ceilings) = ServingBench.Run(ZooSystem(settings), settings.Quick, log);
            result["machine_load_average"] = LoadAverage();
            result["throughput_vs_one_client"] = new JsonObject(rows.Where(r => r.Clients > 1).Select(r =>
                KeyValuePair.Create($"{r.System}/c{r.Clients}", (JsonNode?)Math.Round(r.ThroughputVsOneClient, 3))));
            result["rows"] = JsonSerializer.SerializeToNode(rows, JsonOptions);
            result["work_per_question"] = JsonSerializer.SerializeToNode(work, JsonOptions);
            result["warm_up"] = JsonSerializer.SerializeToNode(warmUps, JsonOptions);
            result["ceiling"] = JsonSerializer.SerializeToNode(ceilings, JsonOptions);
        }
        else
        {
            var rows = SystemBench.Run(settings.Quick, log);
            result["recursive_vs_text_speedup"] = new JsonObject(rows.Select(r => KeyValuePair.Create($"n{r.Rounds}", (JsonNode?)Math.Round(r.Speedup, 3))));
            result["token_reduction"] = new JsonObject(rows.Select(r => KeyValuePair.Create($"n{r.Rounds}", (JsonNode?)Math.Round(r.TokenReduction, 4))));
            result["rows"] = JsonSerializer.SerializeToNode(rows, JsonOptions);
        }
        var spent = ProcessCounters.Read().Since(countersAtStart);
        result["process"] = new JsonObject
        {
            ["minor_page_faults"] = spent.MinorFaults,
            ["user_cpu_seconds"] = Math.Round(spent.UserSeconds, 2),
            ["system_cpu_seconds"] = Math.Round(spent.SystemSeconds, 2),
            ["keeps_freed_memory"] = NativeHeap.Keeping,
        };
        log($"process: {spent.MinorFaults?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "?"} minor page faults, {spent.UserSeconds:F1} s user and {spent.SystemSeconds:F1} s system CPU time" +
            $" (freed memory {(NativeHeap.Keeping ? "kept" : "returned to the OS")})");
        string json = result.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        if (settings.Out is not null)
        {
            AtomicFile.WriteAllText(settings.Out, json + "\n");
            // The serving figures as a picture beside their JSON (rmas plot draws it again).
            if (settings.Suite == "serving")
                Charts.ServingChart.WriteFromFile(settings.Out, Path.ChangeExtension(settings.Out, ".png"));
        }
        if (settings.Json)
        {
            ConsoleJson.Write(console, json);
        }
        return ExitCodes.Success;
    }

    const string ShippedZoo = "examples/zoo/sequential.SYSTEM.json";

    /// <summary>--system, else the shipped zoo when run from the repository root; a --system that does not exist is an error naming it.</summary>
    static string? ZooSystem(Settings settings)
    {
        string? zoo = settings.System ?? (File.Exists(ShippedZoo) ? ShippedZoo : null);
        if (zoo is not null && !File.Exists(zoo))
            throw new FileNotFoundException($"--system: {zoo} does not exist", zoo);
        return zoo;
    }

    /// <summary>The 1-minute load average when the suite ended (Linux), so a figure says how quiet its machine was.</summary>
    static double? LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg")
                ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
