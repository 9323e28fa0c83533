using System.ComponentModel;
using System.Diagnostics;
using RecursiveMas.Decoding;
using RecursiveMas.Models;
using RecursiveMas.Tokenization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RecursiveMas.Cli.Commands;

/// <summary><c>rmas generate</c>: text generation with one model (several prompts run as one left-padded batch).</summary>
public sealed class GenerateCommand(IAnsiConsole console) : Command<GenerateCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--prompt <TEXT>")]
        [Description("The prompt; repeat the option to generate for several prompts in one batch.")]
        public string[] Prompts { get; init; } = [];

        [CommandOption("--raw")]
        [Description("Feed the prompt as plain text instead of a chat user turn.")]
        public bool Raw { get; init; }

        [CommandOption("--system-prompt <TEXT>")]
        [Description("System message for the chat template (elsewhere --system names a SYSTEM.json).")]
        public string? SystemPrompt { get; init; }

        [CommandOption("--no-thinking")]
        [Description("Qwen3: render the empty think block (enable_thinking=False).")]
        public bool NoThinking { get; init; }

        [CommandOption("--max-new-tokens <N>")]
        [Description("Upper bound on generated tokens.")]
        [DefaultValue(256)]
        public int MaxNewTokens { get; init; } = 256;

        [CommandOption("--temperature <T>")]
        [Description("0 = greedy; > 0 samples, up to 2 (default: the model's generation_config.json, greedy without one).")]
        public double? Temperature { get; init; }

        [CommandOption("--top-p <P>")]
        [Description("Nucleus sampling threshold in (0, 1]] (1 = off; default: generation_config.json's).")]
        public double? TopP { get; init; }

        [CommandOption("--top-k <K>")]
        [Description("Keep only the K most likely tokens (0 or -1 = off, as the server takes it; default: generation_config.json's).")]
        public int? TopK { get; init; }

        [CommandOption("--seed <SEED>")]
        [Description("Seed for sampling (default: random).")]
        public long? Seed { get; init; }

        [CommandOption("--stop <TEXT>")]
        [Description("Stop string; repeatable.")]
        public string[] Stop { get; init; } = [];

        public override ValidationResult Validate()
        {
            var baseResult = base.Validate();
            if (!baseResult.Successful)
                return baseResult;
            if (Prompts.Length == 0)
                return ValidationResult.Error("--prompt is required");
            // The server's rule for the same settings, so the command line refuses what a request would (a temperature of 3).
            return OutOfRange("--temperature", Temperature, SamplingRange.Temperature)
                ?? OutOfRange("--top-p", TopP, SamplingRange.TopP)
                ?? OutOfRange("--top-k", TopK, SamplingRange.TopK)
                ?? ValidationResult.Success();
        }

        /// <summary>A usage error naming <paramref name="option"/> when its value lies outside <paramref name="range"/>; null otherwise.</summary>
        static ValidationResult? OutOfRange(string option, double? value, SamplingRange range) =>
            value is double v && range.Refusal(option, v) is { } why ? ValidationResult.Error(why) : null;

        /// <summary>The command line's sampling, with the model's generation_config.json for what it leaves out.</summary>
        public SamplingOptions SamplingWith(GenerationDefaults defaults) => defaults.Apply(new SamplingOptions
        {
            Seed = Seed,
            MaxNewTokens = MaxNewTokens,
            StopStrings = Stop,
        }, Temperature, TopP, TopK is int k ? SamplingRange.DecoderTopK(k) : null);
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // config.json first: it finishes a replacement of the folder a killed rmas pretrain left half done (and says so)
        // before generation_config.json is read from it, which would otherwise be missing and decode with the defaults.
        SystemSettings.PrintNotes([ModelConfig.Load(settings.Model).FolderRecovery]);
        var sampling = settings.SamplingWith(GenerationDefaults.Read(settings.Model));
        sampling.Validate(); // option errors before the (slow) model load
        Runtime.Configure(settings.Threads);
        using var model = CausalLM.FromPretrained(settings.Model, new ModelLoadOptions { DType = ModelLoadOptions.ParseDType(settings.DType) });
        var tokenizer = ModelTokenizer.Load(settings.Model);
        var generator = new TextGenerator(model, tokenizer);
        var format = new TextGenerator.PromptFormat
        {
            ApplyChatTemplate = !settings.Raw,
            SystemPrompt = settings.SystemPrompt,
            EnableThinking = !settings.NoThinking,
        };

        var watch = Stopwatch.StartNew();
        var results = generator.Generate(settings.Prompts, sampling, format);
        watch.Stop();

        int total = results.Sum(r => r.TokenIds.Count);
        if (settings.Json)
        {
            ConsoleJson.Write(console, System.Text.Json.JsonSerializer.Serialize(new
            {
                results = results.Select(r => new { text = r.Text, token_ids = r.TokenIds, finish_reason = r.Reason.ToString() }),
                generated_tokens = total,
                seconds = watch.Elapsed.TotalSeconds,
            }));
            return ExitCodes.Success;
        }
        for (int i = 0; i < results.Count; i++)
        {
            if (results.Count > 1)
                console.MarkupLine($"[grey]--- prompt {i + 1} ---[/]");
            console.WriteLine(results[i].Text ?? "");
            console.MarkupLine($"[grey]{results[i].TokenIds.Count} tokens, stopped: {results[i].Reason}[/]");
        }
        console.MarkupLine($"[grey]{total} tokens in {watch.Elapsed.TotalSeconds:F2} s ({total / Math.Max(watch.Elapsed.TotalSeconds, 1e-9):F1} tokens/s)[/]");
        return ExitCodes.Success;
    }
}
