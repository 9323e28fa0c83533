using System.ComponentModel;
using RecursiveMas.Models;
using RecursiveMas.Models.Lora;
using RecursiveMas.Pretraining;
using RecursiveMas.Systems;
using RecursiveMas.Tasks;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RecursiveMas.Cli.Commands;

/// <summary>
/// <c>rmas pretrain</c>: pre-trains a tiny decoder from scratch for one agent of one or more systems on a
/// task's role texts, or (with --from) fine-tunes an existing model on the single-agent prompt (the SFT baseline),
/// or (with --from and --lora-rank) trains LoRA adapters on it and writes a PEFT adapter directory (the LoRA baseline).
/// </summary>
public sealed class PretrainCommand(IAnsiConsole console) : Command<PretrainCommand.Settings>
{
    public sealed class Settings : CommonSettings
    {
        [CommandOption("--system <FILE>")]
        [Description("SYSTEM.json whose prompts the agent reads; repeat for an agent shared by several systems.")]
        public string[] Systems { get; init; } = [];

        [CommandOption("--agent <NAME>")]
        [Description("The agent to pre-train (its name is also its key in the data's roles).")]
        public string? Agent { get; init; }

        [CommandOption("--data <FILE>")]
        [Description("Training JSONL ({\"question\", \"roles\", \"answer\"} per line).")]
        public string Data { get; init; } = "";

        [CommandOption("--family <FAMILY>")]
        [Description("llama, qwen2, qwen3 or mistral.")]
        [DefaultValue("llama")]
        public string Family { get; init; } = "llama";

        [CommandOption("--hidden <D>")]
        [Description("Hidden size (a multiple of 32).")]
        [DefaultValue(128)]
        public int Hidden { get; init; } = 128;

        [CommandOption("--layers <N>")]
        [Description("Decoder layers.")]
        [DefaultValue(2)]
        public int Layers { get; init; } = 2;

        [CommandOption("--vocab <N>")]
        [Description("Upper bound on the byte-level BPE vocabulary.")]
        [DefaultValue(640)]
        public int Vocab { get; init; } = 640;

        [CommandOption("--from <DIR>")]
        [Description("Fine-tune this model directory on the single-agent prompt instead (SFT baseline); --agent, --family, --hidden, --layers, --vocab are ignored.")]
        public string? From { get; init; }

        [CommandOption("--lora-rank <R>")]
        [Description("With --from: train LoRA adapters of rank R on the frozen model instead of every weight, and write a PEFT adapter directory (adapter_config.json, adapter_model.safetensors).")]
        public int? LoraRank { get; init; }

        [CommandOption("--lora-alpha <A>")]
        [Description("LoRA alpha (the update is scaled by alpha / r); default 8, PEFT's.")]
        [DefaultValue(8.0)]
        public double LoraAlpha { get; init; } = 8;

        [CommandOption("--lora-dropout <P>")]
        [Description("Dropout on the adapters' inputs while training.")]
        [DefaultValue(0.0)]
        public double LoraDropout { get; init; }

        [CommandOption("--lora-targets <LIST>")]
        [Description("Comma-separated projection names (q_proj,v_proj,...); default: every linear projection of the decoder layers (PEFT's all-linear).")]
        public string? LoraTargets { get; init; }

        [CommandOption("--steps <N>")]
        [DefaultValue(800)]
        public int Steps { get; init; } = 800;

        [CommandOption("--batch <N>")]
        [DefaultValue(16)]
        public int Batch { get; init; } = 16;

        [CommandOption("--lr <LR>")]
        [Description("Peak learning rate (AdamW, warm-up then cosine).")]
        [DefaultValue(3e-3)]
        public double LearningRate { get; init; } = 3e-3;

        [CommandOption("--seed <SEED>")]
        [DefaultValue(7L)]
        public long Seed { get; init; } = 7;

        [CommandOption("--out <DIR>")]
        [Description("Model directory to write (config.json, model.safetensors, tokenizer.json, tokenizer_config.json); with --lora-rank, the adapter directory.")]
        public string Out { get; init; } = "";

        public override ValidationResult Validate()
        {
            if (Systems.Length == 0)
                return ValidationResult.Error("--system is required");
            if (string.IsNullOrWhiteSpace(Data))
                return ValidationResult.Error("--data is required");
            if (string.IsNullOrWhiteSpace(Out))
                return ValidationResult.Error("--out is required");
            if (From is null && string.IsNullOrWhiteSpace(Agent))
                return ValidationResult.Error("--agent is required (or --from to fine-tune)");
            if (Family is not ("llama" or "qwen2" or "qwen3" or "mistral"))
                return ValidationResult.Error($"--family must be llama, qwen2, qwen3 or mistral, not \"{Family}\"");
            if (LoraRank is not null && From is null)
                return ValidationResult.Error("--lora-rank trains adapters on an existing model: give --from");
            if (LoraRank is < 1 || !(LoraAlpha > 0) || LoraDropout is < 0 or >= 1)
                return ValidationResult.Error("--lora-rank must be ≥ 1, --lora-alpha > 0, --lora-dropout in [0, 1)");
            if (Steps < 0 || Batch < 1 || Layers < 1 || !(LearningRate > 0))
                return ValidationResult.Error("--steps must be ≥ 0, --batch and --layers ≥ 1, --lr > 0");
            if (LearningRate > PretrainingOptions.MaxLearningRate)
                return ValidationResult.Error($"--lr must be at most {PretrainingOptions.MaxLearningRate:G3} (AdamW's first step, lr / (1 − 0.9), is a float32), not {LearningRate:G3}");
            if (From is null)
            {
                // The shape's own rule (TinyDecoderShape.For), checked now and named by option: it was exit 1 after the data loaded.
                try
                {
                    TinyDecoderShape.For(Enum.Parse<ModelFamily>(Family, ignoreCase: true), Hidden, Layers, Vocab);
                }
                catch (ArgumentOutOfRangeException e)
                {
                    string option = e.ParamName switch { "hiddenSize" => "--hidden", "layers" => "--layers", _ => "--vocab" };
                    return ValidationResult.Error($"{option} {e.ActualValue}: {ErrorText.Reason(e).Split(Environment.NewLine)[0]}");
                }
            }
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Runtime.Configure(settings.Threads);
        var systems = settings.Systems.Select(SystemDescription.Load).ToList();
        foreach (var system in systems)
            SystemSettings.PrintWarnings(SystemPlan.Build(system));
        var data = TaskDataFile.Read(settings.Data);
        var options = new PretrainingOptions
        {
            Steps = settings.Steps,
            BatchSize = settings.Batch,
            LearningRate = settings.LearningRate,
            Seed = settings.Seed,
        };
        // The model's config first: the load that finishes a swap a killed pretrain left in that folder (ModelConfig.Load)
        // before its tokenizer is read, and said before the progress display takes the terminal.
        if (settings.From is { } model)
            SystemSettings.PrintNotes([ModelConfig.Load(model).FolderRecovery]);
        string what = settings.From is null ? "pre-training" : settings.LoraRank is null ? "fine-tuning" : "LoRA training";
        PretrainingReport Train(PretrainingOptions options)
        {
            if (settings.From is { } from)
            {
                var conversations = AgentPretraining.SingleAgentConversations(systems[0], from, data);
                if (settings.LoraRank is int rank)
                {
                    var lora = new LoraConfig
                    {
                        Rank = rank,
                        Alpha = settings.LoraAlpha,
                        Dropout = settings.LoraDropout,
                        TargetModules = settings.LoraTargets is { } targets ? [.. targets.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : null,
                    };
                    return AgentPretraining.FineTuneLora(from, conversations, settings.Out, options, lora, cancellationToken);
                }
                return AgentPretraining.FineTune(from, conversations, settings.Out, options, cancellationToken);
            }
            var family = Enum.Parse<ModelFamily>(settings.Family, ignoreCase: true);
            var shape = TinyDecoderShape.For(family, settings.Hidden, settings.Layers, settings.Vocab);
            return AgentPretraining.Pretrain(systems, settings.Agent!, data, shape, settings.Out, options, cancellationToken);
        }

        PretrainingReport report = null!;
        if (settings.Json)
        {
            report = Train(options);
        }
        else
        {
            StepProgress.For(console)
                .Start(progress =>
                {
                    var task = progress.AddTask(what, maxValue: settings.Steps);
                    report = Train(options with
                    {
                        OnProgress = p =>
                        {
                            task.MaxValue = p.TotalSteps;
                            task.Value = p.Step;
                            task.Description = Markup.Escape($"{what} {p.Step}/{p.TotalSteps} loss {p.Loss:F3} lr {p.LearningRate:G3}");
                        },
                    });
                });
        }
        if (settings.Json)
            ConsoleJson.Write(console, report.ToJson());
        else
            console.MarkupLine($"{report.Parameters:N0} parameters, loss {report.InitialLoss:F3} → {report.FinalLoss:F3} in {report.Seconds:F0} s → {Markup.Escape(Path.GetFullPath(settings.Out))}");
        return ExitCodes.Success;
    }
}
