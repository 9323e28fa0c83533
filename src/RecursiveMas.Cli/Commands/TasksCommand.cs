using System.ComponentModel;
using System.Text.Json;
using RecursiveMas.Tasks;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RecursiveMas.Cli.Commands;

/// <summary><c>rmas tasks</c>: writes train/val/test JSONL splits of a synthetic reasoning task from a seed.</summary>
public sealed class TasksCommand(IAnsiConsole console) : Command<TasksCommand.Settings>
{
    public sealed class Settings : CommonSettings
    {
        /// <summary>Examples per split at most (a million is far past what the zoo uses: 6,000 train).</summary>
        public const int MaxExamples = 1_000_000;

        [CommandOption("--task <TASK>")]
        [Description("arithmetic (word problems, 2–4 dependent operations), arithmetic-long (5–8) or reachability (ProsQA-like rules).")]
        public string Task { get; init; } = "";

        [CommandOption("--seed <SEED>")]
        [Description("Seed of the generator; the same seed writes the same files byte for byte.")]
        [DefaultValue(7L)]
        public long Seed { get; init; } = 7;

        [CommandOption("--train <N>")]
        [Description("Training examples.")]
        [DefaultValue(2000)]
        public int Train { get; init; } = 2000;

        [CommandOption("--val <N>")]
        [Description("Validation examples.")]
        [DefaultValue(100)]
        public int Validation { get; init; } = 100;

        [CommandOption("--test <N>")]
        [Description("Test examples.")]
        [DefaultValue(200)]
        public int Test { get; init; } = 200;

        [CommandOption("--ops-per-round <N>")]
        [Description("Arithmetic: role texts cover at most N operations a round, later rounds continuing from where the last ended (\"later_rounds\" in the JSONL). Default: the whole chain in round 1.")]
        public int? OperationsPerRound { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Folder for train.jsonl, val.jsonl and test.jsonl.")]
        public string Out { get; init; } = "";

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Task))
                return ValidationResult.Error("--task is required (arithmetic, arithmetic-long or reachability)");
            if (Task is not ("arithmetic" or "arithmetic-long" or "reachability"))
                return ValidationResult.Error($"--task must be arithmetic, arithmetic-long or reachability, not \"{Task}\"");
            if (OperationsPerRound is not null && Task == "reachability")
                return ValidationResult.Error("--ops-per-round applies to the arithmetic tasks, not reachability");
            if (OperationsPerRound < 1)
                return ValidationResult.Error($"--ops-per-round must be at least 1, not {OperationsPerRound}");
            if (string.IsNullOrWhiteSpace(Out))
                return ValidationResult.Error("--out is required");
            if (Train < 0 || Validation < 0 || Test < 0)
                return ValidationResult.Error("--train, --val and --test must not be negative");
            // The splits are built in memory before they are written.
            if (Train > MaxExamples || Validation > MaxExamples || Test > MaxExamples)
                return ValidationResult.Error($"--train, --val and --test must be at most {MaxExamples:N0} each");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var splits = TaskSplits.Generate(TaskKinds.Parse(settings.Task), settings.Seed, settings.Train, settings.Validation, settings.Test, settings.OperationsPerRound, cancellationToken);
        splits.Write(settings.Out, cancellationToken);
        if (settings.Json)
        {
            ConsoleJson.Write(console, JsonSerializer.Serialize(new
            {
                task = settings.Task,
                seed = settings.Seed,
                train = splits.Train.Count,
                val = splits.Validation.Count,
                test = splits.Test.Count,
                directory = Path.GetFullPath(settings.Out),
            }));
        }
        else
        {
            console.MarkupLine($"{Markup.Escape(settings.Task)}: {splits.Train.Count} train, {splits.Validation.Count} val, " +
                $"{splits.Test.Count} test → {Markup.Escape(Path.GetFullPath(settings.Out))}");
        }
        return ExitCodes.Success;
    }
}
