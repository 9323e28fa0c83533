using System.ComponentModel;
using RecursiveMas.Baselines;
using RecursiveMas.Latent;
using RecursiveMas.Systems;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RecursiveMas.Cli.Commands;

/// <summary><c>rmas run</c>: answers questions with a system from SYSTEM.json, by RecursiveMAS or a baseline.</summary>
public sealed class RunCommand(IAnsiConsole console) : Command<RunCommand.Settings>
{
    public sealed class Settings : SystemSettings
    {
        [CommandOption("--question <TEXT>")]
        [Description("A question; repeat the option to answer several in one batch.")]
        public string[] Questions { get; init; } = [];

        [CommandOption("--rounds <N>")]
        [Description("Recursion rounds n (default: the system's).")]
        public int? Rounds { get; init; }

        [CommandOption("--latent-steps <M>")]
        [Description("Latent steps m for every agent (default: each agent's).")]
        public int? LatentSteps { get; init; }

        [CommandOption("--method <METHOD>")]
        [Description("recursive (default), text (Recursive-TextMAS), single (decoder alone), latentmas (training-free, messages in slots, same-model systems), latentmas-kv (LatentMAS as published: KV caches prepended, one pass, m = 10).")]
        [DefaultValue("recursive")]
        public string Method { get; init; } = "recursive";

        [CommandOption("--reference-rollout")]
        [Description("Re-run the whole sequence at every latent step, as the official code does (slow; for comparisons).")]
        public bool ReferenceRollout { get; init; }

        [CommandOption("--max-new-tokens <N>")]
        [Description("Final-answer token budget (default: the system's).")]
        public int? MaxNewTokens { get; init; }

        public override ValidationResult Validate()
        {
            if (Questions.Length == 0)
                return ValidationResult.Error("--question is required");
            if (Questions.Any(string.IsNullOrWhiteSpace))
                return ValidationResult.Error("--question must not be empty (an empty question is answered with whatever the agents make up)");
            if (Method is not ("recursive" or "text" or "single" or "latentmas" or "latentmas-kv"))
                return ValidationResult.Error($"--method must be recursive, text, single, latentmas or latentmas-kv, not \"{Method}\"");
            if (Rounds is < 1 or > 64)
                return ValidationResult.Error("--rounds must be between 1 and 64");
            if (LatentSteps is < 1 or > 4096)
                return ValidationResult.Error("--latent-steps must be between 1 and 4096");
            if (MaxNewTokens is < 1)
                return ValidationResult.Error("--max-new-tokens must be at least 1");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Runtime.Configure(settings.Threads);
        using var system = settings.Load(console, quiet: settings.Json, allowUntrained: settings.Method is "text" or "single" or "latentmas" or "latentmas-kv");
        var description = system.Description;
        var options = new RunOptions
        {
            Rounds = settings.Rounds,
            LatentSteps = settings.LatentSteps,
            RolloutMode = settings.ReferenceRollout ? RolloutMode.Reference : RolloutMode.Cached,
            Decoding = settings.MaxNewTokens is int max ? description.Decoding with { MaxNewTokens = max } : null,
            CancellationToken = cancellationToken,
        };
        var result = settings.Method switch
        {
            "text" => TextMasBaseline.SolveBatch(system, settings.Questions, options),
            "single" => SingleAgentBaseline.SolveBatch(system, settings.Questions, options),
            "latentmas" => LatentMasBaseline.SolveBatch(system, settings.Questions, options),
            "latentmas-kv" => LatentMasKvBaseline.SolveBatch(system, settings.Questions, options),
            _ => RecursiveRunner.SolveBatch(system, settings.Questions, options),
        };

        if (settings.Json)
        {
            ConsoleJson.Write(console, result.ToJson());
            return ExitCodes.Success;
        }
        ResultTable.Write(console, system, result);
        return ExitCodes.Success;
    }
}
