using System.ComponentModel;
using System.Text.Json;
using RecursiveMas.Zoo;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace RecursiveMas.Cli.Commands;

/// <summary>
/// <c>rmas zoo</c>: regenerates the embedded agent zoo (task data, SYSTEM.json files, three pre-trained
/// agents) from a seed, bit for bit: training runs on one intra-op thread whatever --threads says.
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

        [CommandOption("--tiny")]
        [Description("A seconds-long budget for tests and smoke runs (tiny data, one layer, 3 steps).")]
        public bool Tiny { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Out))
                return ValidationResult.Error("--out is required");
            if (Steps is < 0)
                return ValidationResult.Error("--steps must not be negative");
            if (Train is < 1)
                return ValidationResult.Error("--train must be at least 1");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // Bit-identical weights need a fixed reduction order: one intra-op thread, restored afterwards
        // (tests run this command in-process).
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
        if (settings.Steps is int steps)
            budget = budget with { Steps = steps };
        if (settings.Train is int train)
            budget = budget with { TrainPerTask = train };
        var reports = AgentZoo.Build(settings.Out, settings.Seed, budget, (agent, p) =>
        {
            if (!settings.Json && (p.Step % 100 == 0 || p.Step == p.TotalSteps))
                console.MarkupLine($"{Markup.Escape(agent)}: step {p.Step}/{p.TotalSteps} loss {p.Loss:F3}");
        }, cancellationToken);
        if (settings.Json)
        {
            console.WriteLine(JsonSerializer.Serialize(reports.ToDictionary(r => r.Key, r => JsonDocument.Parse(r.Value.ToJson()).RootElement)));
            return ExitCodes.Success;
        }
        foreach (var (agent, report) in reports)
            console.MarkupLine($"{Markup.Escape(agent)}: {report.Parameters:N0} parameters, loss {report.InitialLoss:F3} → {report.FinalLoss:F3}, {report.Seconds:F0} s");
        console.MarkupLine($"zoo written to {Markup.Escape(Path.GetFullPath(settings.Out))}");
        return ExitCodes.Success;
    }
}
