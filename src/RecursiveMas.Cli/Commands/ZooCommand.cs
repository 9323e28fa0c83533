using System.ComponentModel;
using System.Text.Json;
using RecursiveMas.Systems;
using RecursiveMas.Training;
using RecursiveMas.Zoo;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace RecursiveMas.Cli.Commands;

/// <summary>
/// <c>rmas zoo</c>: regenerates the embedded agent zoo (task data, SYSTEM.json, three pre-trained agents,
/// trained links) from a seed, bit for bit: training runs on one intra-op thread whatever --threads
/// says. The summary ends with the process's CPU time, the figure the zoo's budget is stated in.
/// </summary>
public sealed class ZooCommand(IAnsiConsole console) : Command<ZooCommand.Settings>
{
    public sealed class Settings : CommonSettings
    {
        [CommandOption("--seed <SEED>")]
        [Description("Seed of data, weights and data order.")]
        [DefaultValue(7L)]
        public long Seed { get; init; } = 7;

        [CommandOption("--out <DIR>")]
        [Description("Folder to write the zoo into (e.g. examples/zoo).")]
        public string Out { get; init; } = "";

        [CommandOption("--steps <N>")]
        [Description("Pre-training steps per agent (default: the shipped zoo's).")]
        public int? Steps { get; init; }

        [CommandOption("--train <N>")]
        [Description("Training examples per task (default: the shipped zoo's).")]
        public int? Train { get; init; }

        [CommandOption("--link-steps <N>")]
        [Description("Link-training steps per stage and system (default: the shipped zoo's; 0 = no links).")]
        public int? LinkSteps { get; init; }

        [CommandOption("--inner-steps <N>")]
        [Description("Inner-link training steps (default: the shipped zoo's).")]
        public int? InnerSteps { get; init; }

        [CommandOption("--message-source <SOURCE>")]
        [Description("Messages of outer link training: rollout (what inference sends; the default) or teacher (the released recipe).")]
        public RecursiveMas.Training.MessageSource? MessageSource { get; init; }

        [CommandOption("--agent <NAME>")]
        [Description("Pre-train only this agent (repeatable); the others' models in --out are kept.")]
        public string[]? Agents { get; init; }

        [CommandOption("--links-only")]
        [Description("Keep the data and models already in --out and only (re)train the links, for the latent steps in its sequential.SYSTEM.json (a note says when they are not the recipe's).")]
        public bool LinksOnly { get; init; }

        [CommandOption("--outer-only")]
        [Description("With --links-only: keep the inner links in --out as well and retrain only the outer links (after a change of an agent's latent steps, say).")]
        public bool OuterOnly { get; init; }

        [CommandOption("--log-dir <DIR>")]
        [Description("Also write the link-training step logs (loss, held-out accuracy, gradient norms) here, as inner/ and outer/train-log.jsonl.")]
        public string? LogDir { get; init; }

        [CommandOption("--windowed")]
        [Description("The windowed recipe (examples/zoo/README.md, \"What was tried for long chains\"): four operations a round, the feedback link trained alone on later rounds.")]
        public bool Windowed { get; init; }

        [CommandOption("--portable")]
        [Description("Pin libtorch's vector paths to AVX2 (ATEN_CPU_CAPABILITY, MKL_CBWR) so the files are the same on every x86-64 CPU with AVX2, AVX-512 or not; not how the shipped zoo was written.")]
        public bool Portable { get; init; }

        [CommandOption("--tiny")]
        [Description("A seconds-long budget for tests and smoke runs (tiny data, one layer, 3 steps).")]
        public bool Tiny { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Out))
                return ValidationResult.Error("--out is required");
            if (Steps is < 0)
                return ValidationResult.Error("--steps must not be negative");
            if (InnerSteps is < 0)
                return ValidationResult.Error("--inner-steps must not be negative");
            if (LinkSteps is < 0)
                return ValidationResult.Error("--link-steps must not be negative");
            if (OuterOnly && !LinksOnly)
                return ValidationResult.Error("--outer-only keeps the inner links of a zoo already built: give --links-only too");
            if (Train is < 1)
                return ValidationResult.Error("--train must be at least 1");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // Bit-identical weights need a fixed reduction order: one intra-op thread, restored afterwards
        // (callers may run this command in-process).
        int threadsBefore = get_num_threads();
        set_num_threads(1);
        try
        {
            return Build(settings, cancellationToken);
        }
        finally
        {
            set_num_threads(threadsBefore);
        }
    }

    int Build(Settings settings, CancellationToken cancellationToken)
    {
        var budget = settings.Tiny ? ZooBudget.Tiny : ZooBudget.Shipped;
        if (settings.Windowed)
            budget = budget with
            {
                OperationsPerRound = ZooBudget.Windowed.OperationsPerRound,
                TrainLong = settings.Tiny ? budget.TrainLong : ZooBudget.Windowed.TrainLong,
                PlannerTrainLong = settings.Tiny ? budget.TrainLong * 3 : ZooBudget.Windowed.PlannerTrainLong,
                PlannerStepShare = ZooBudget.Windowed.PlannerStepShare,
                LastRoundOdds = ZooBudget.Windowed.LastRoundOdds,
                CriticLatentSteps = ZooBudget.Windowed.CriticLatentSteps,
                LinkSteps = settings.Tiny ? budget.LinkSteps : ZooBudget.Windowed.LinkSteps,
            };
        if (settings.Steps is int steps)
            budget = budget with { Steps = steps };
        if (settings.Train is int train)
            budget = budget with { TrainPerTask = train };
        if (settings.MessageSource is { } source)
            budget = budget with { LinkMessages = source };
        if (settings.InnerSteps is int innerSteps)
            budget = budget with { InnerSteps = innerSteps };
        if (settings.LinkSteps is int linkSteps)
            budget = budget with { LinkSteps = linkSteps };
        var reports = new Dictionary<string, JsonElement>();
        var summary = new List<string>();
        if (settings.Portable && !PortableCpuMath.InForce && !settings.Json)
            console.MarkupLine(Markup.Escape("note: --portable could not pin libtorch's vector paths in this process (" +
                string.Join(", ", PortableCpuMath.Settings.Select(s => $"{s.Name}={s.Value}")) +
                ": set before libtorch loads, by rmas's own entry point): the files written match runs on this kind of CPU only"));
        if (settings.LinksOnly && !settings.Json)
        {
            // The links train for the m in the SYSTEM.json already in --out (pre-training wrote it): say when it is not the recipe's.
            string systemFile = Path.Combine(settings.Out, AgentZoo.SequentialFile);
            var apart = AgentZoo.LatentStepsApartFromRecipe(SystemDescription.Load(systemFile), budget);
            if (apart.Count > 0)
                console.MarkupLine(Markup.Escape($"note: training links for the latent steps in {systemFile}, not the recipe's ({string.Join("; ", apart)})"));
        }
        WithProgress(settings.Json, report =>
        {
            if (!settings.LinksOnly)
            {
                var pretrained = AgentZoo.Build(settings.Out, settings.Seed, budget,
                    (agent, p) => report(agent, $"{agent}: pre-training {p.Step}/{p.TotalSteps} loss {p.Loss:F3}", p.Step, p.TotalSteps),
                    cancellationToken, settings.Agents is { Length: > 0 } agents ? agents : null);
                foreach (var (agent, result) in pretrained)
                {
                    reports[agent] = JsonDocument.Parse(result.ToJson()).RootElement;
                    summary.Add($"{agent}: {result.Parameters:N0} parameters, loss {result.InitialLoss:F3} → {result.FinalLoss:F3}, {result.Seconds:F0} s");
                }
            }
            if (budget.LinkSteps > 0)
            {
                var linkReports = ZooLinkTraining.Train(settings.Out, settings.Seed, budget,
                    (system, p) => report($"{system} {p.Stage}", $"{system} links, {p.Stage.ToString().ToLowerInvariant()}: step {p.Step}/{p.TotalSteps} loss {p.Loss:F3}", p.Step, p.TotalSteps),
                    settings.LogDir, cancellationToken, keepInnerLinks: settings.OuterOnly);
                foreach (var (stageName, result) in linkReports)
                {
                    string system = "links " + stageName;
                    reports[system] = JsonSerializer.SerializeToElement(new
                    {
                        stages = result.Stages.Select(s => new { stage = s.Stage.ToString(), steps = s.Steps, first_loss = Finite(s.FirstLoss), final_loss = Finite(s.FinalLoss), seconds = s.Seconds }),
                    });
                    foreach (var stage in result.Stages)
                        summary.Add($"{system}: loss {stage.FirstLoss:F3} → {stage.FinalLoss:F3}, {stage.Seconds:F0} s");
                }
            }
        });
        if (!settings.Json)
            foreach (var line in summary)
                console.MarkupLine(Markup.Escape(line));
        if (settings.Json)
        {
            ConsoleJson.Write(console, JsonSerializer.Serialize(reports));
            return ExitCodes.Success;
        }
        var process = System.Diagnostics.Process.GetCurrentProcess();
        console.MarkupLine($"zoo written to {Markup.Escape(Path.GetFullPath(settings.Out))} in {process.TotalProcessorTime.TotalMinutes:F1} CPU-minutes " +
            $"({(DateTime.Now - process.StartTime).TotalMinutes:F1} min wall)");
        return ExitCodes.Success;
    }

    /// <summary>JSON has no NaN: a loss that was never computed is null.</summary>
    static double? Finite(double value) => double.IsFinite(value) ? value : null;

    /// <summary>
    /// Runs <paramref name="body"/> with a reporter (key, description, step, total) that drives one
    /// Spectre progress bar per key — an agent's pre-training, a system's link-training stage — or does
    /// nothing for --json.
    /// </summary>
    void WithProgress(bool json, Action<Action<string, string, int, int>> body)
    {
        if (json)
        {
            body((_, _, _, _) => { });
            return;
        }
        StepProgress.For(console)
            .Start(progress =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                body((key, description, step, total) =>
                {
                    if (!tasks.TryGetValue(key, out var task))
                        tasks[key] = task = progress.AddTask(Markup.Escape(key), maxValue: Math.Max(1, total));
                    task.MaxValue = Math.Max(1, total);
                    task.Value = step;
                    task.Description = Markup.Escape(description);
                });
            });
    }
}
