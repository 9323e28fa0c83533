using System.ComponentModel;
using RecursiveMas.Charts;
using RecursiveMas.Models;
using RecursiveMas.Systems;
using RecursiveMas.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RecursiveMas.Cli.Commands;

/// <summary>
/// <c>rmas train</c>: trains a system's links by the inner–outer loop (PAPER §4) from JSONL data, with
/// a live progress bar, a step log, resumable checkpoints and the trained links in <c>OUT/links</c>.
/// </summary>
public sealed class TrainCommand(IAnsiConsole console) : Command<TrainCommand.Settings>
{
    public sealed class Settings : SystemSettings
    {
        [CommandOption("--data <FILE>")]
        [Description("Training data, JSONL: {\"question\": ..., \"roles\": {\"AGENT\": ...}, \"answer\": ...} per line.")]
        public string Data { get; init; } = "";

        [CommandOption("--eval <FILE>")]
        [Description("Held-out JSONL scored with the strict checker, and with the stage's loss (eval_loss in the log), before, during (--eval-every) and after training.")]
        public string? Eval { get; init; }

        [CommandOption("--stage <STAGE>")]
        [Description("inner, outer or both (inner then outer).")]
        [DefaultValue("both")]
        public string Stage { get; init; } = "both";

        [CommandOption("--out <DIR>")]
        [Description("Output folder: train-log.jsonl and its chart train-log.png, checkpoint-*.safetensors, links/.")]
        public string Out { get; init; } = "";

        [CommandOption("--message-source <SOURCE>")]
        [Description("teacher (states over the role texts, the official recipe) or rollout (the latent rollouts inference sends).")]
        [DefaultValue("teacher")]
        public string MessageSource { get; init; } = "teacher";

        [CommandOption("--rounds <N>")]
        [Description("Rounds unrolled by the outer loop (default: the system's).")]
        public int? Rounds { get; init; }

        [CommandOption("--steps <N>")]
        [Description("Optimizer steps per stage.")]
        [DefaultValue(100)]
        public int Steps { get; init; } = 100;

        [CommandOption("--batch-size <N>")]
        [DefaultValue(2)]
        public int BatchSize { get; init; } = 2;

        [CommandOption("--grad-accum <N>")]
        [Description("Micro-batches per optimizer step (at most 4096).")]
        [DefaultValue(1)]
        public int GradientAccumulation { get; init; } = 1;

        [CommandOption("--lr <RATE>")]
        [Description("Peak learning rate of the cosine schedule.")]
        [DefaultValue(5e-4)]
        public double LearningRate { get; init; } = 5e-4;

        [CommandOption("--warmup <N>")]
        [DefaultValue(10)]
        public int Warmup { get; init; } = 10;

        [CommandOption("--clip <NORM>")]
        [Description("Gradient-norm clip (0 = off).")]
        [DefaultValue(1.0)]
        public double Clip { get; init; } = 1.0;

        [CommandOption("--seed <N>")]
        [DefaultValue(0L)]
        public long Seed { get; init; }

        [CommandOption("--checkpoint-every <N>")]
        [Description("Checkpoint every N steps (always after the last).")]
        [DefaultValue(50)]
        public int CheckpointEvery { get; init; } = 50;

        [CommandOption("--eval-every <N>")]
        [Description("Evaluate every N steps (0 = before and after only).")]
        [DefaultValue(0)]
        public int EvalEvery { get; init; }

        [CommandOption("--earlier-round-weight <W>")]
        [Description("Weight of the decoder's loss in rounds before the last (0 = final round only, as released).")]
        [DefaultValue(0.0)]
        public double EarlierRoundWeight { get; init; }

        [CommandOption("--mse-weight <W>")]
        [Description("Inner loop: weight of the MSE term next to 1 − cos.")]
        [DefaultValue(0.0)]
        public double MseWeight { get; init; }

        [CommandOption("--inner-reads-messages")]
        [Description("Inner loop: fill each agent's message slots with its senders' role texts instead of leaving them empty.")]
        public bool InnerReadsMessages { get; init; }

        [CommandOption("--inner-token-weight <W>")]
        [Description("Inner loop: weight of a token cross-entropy over cosine similarities to the vocabulary (0 = off, as released).")]
        [DefaultValue(0.0)]
        public double InnerTokenWeight { get; init; }

        [CommandOption("--consistency-weight <W>")]
        [Description("Inner loop: weight of latent consistency, the frozen model scored on its role text read as latent steps (0 = off).")]
        [DefaultValue(0.0)]
        public double ConsistencyWeight { get; init; }

        [CommandOption("--receiver-weight <W>")]
        [Description("Outer loop: weight of every receiving agent's role-text loss given its messages (0 = off, as released).")]
        [DefaultValue(0.0)]
        public double ReceiverWeight { get; init; }

        [CommandOption("--detach-senders")]
        [Description("Outer loop, rollout messages: no graph through the senders' rollouts (links learn from their receivers).")]
        public bool DetachSenders { get; init; }

        [CommandOption("--loss-averaging <HOW>")]
        [Description("Text losses: per-sample (each sample's mean, then over samples; as released, default) or per-token (over all tokens of the batch).")]
        public string LossAveraging { get; init; } = "per-sample";

        [CommandOption("--answer-end <END>")]
        [Description("What scored texts end with: template (the chat template's turn end, as released; default) or eot (the end-of-turn token).")]
        public string AnswerEnd { get; init; } = "template";

        [CommandOption("--teacher-length <K>")]
        [Description("Teacher messages: each sample's first K states of its role text (default 80 as released; 0 = the sender's m).")]
        public int? TeacherLength { get; init; }

        [CommandOption("--latent-steps <M>")]
        [Description("Latent steps m for every agent in rollouts and evaluation (default: each agent's).")]
        public int? LatentSteps { get; init; }

        [CommandOption("--diagnose-every <N>")]
        [Description("Measure the gradient each outer link gets from each round every N steps (0 = never).")]
        [DefaultValue(1)]
        public int DiagnoseEvery { get; init; } = 1;

        [CommandOption("--link-dtype <DTYPE>")]
        [Description("Dtype the links train in: f32 (default) or bf16 (as released: parameters, gradients and AdamW state in bf16; links saved in bf16). --dtype sets the models'.")]
        [DefaultValue("f32")]
        public string LinkDType { get; init; } = "f32";

        [CommandOption("--resume")]
        [Description("Continue from the checkpoint in --out.")]
        public bool Resume { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(System))
                return ValidationResult.Error("--system is required");
            if (string.IsNullOrWhiteSpace(Data))
                return ValidationResult.Error("--data is required");
            if (string.IsNullOrWhiteSpace(Out))
                return ValidationResult.Error("--out is required");
            if (EvalEvery != 0 && string.IsNullOrWhiteSpace(Eval))
                return ValidationResult.Error("--eval-every needs --eval FILE (the held-out data it scores)");
            if (Stage is not ("inner" or "outer" or "both"))
                return ValidationResult.Error($"--stage must be inner, outer or both, not \"{Stage}\"");
            if (AnswerEnd is not ("template" or "eot"))
                return ValidationResult.Error($"--answer-end must be template or eot, not \"{AnswerEnd}\"");
            if (LossAveraging is not ("per-sample" or "per-token"))
                return ValidationResult.Error($"--loss-averaging must be per-sample or per-token, not \"{LossAveraging}\"");
            if (MessageSource is not ("teacher" or "rollout"))
                return ValidationResult.Error($"--message-source must be teacher or rollout, not \"{MessageSource}\"");
            if (LinkDType.Trim().ToLowerInvariant() is not ("f32" or "float32" or "fp32" or "bf16" or "bfloat16"))
                return ValidationResult.Error($"--link-dtype must be f32 or bf16, not \"{LinkDType}\"");
            if (Steps < 1)
                return ValidationResult.Error("--steps must be at least 1");
            if (Rounds is < 1 or > 64)
                return ValidationResult.Error("--rounds must be between 1 and 64");
            // The trainer's own rules, before any model loads, naming the option rather than TrainingOptions' property.
            try
            {
                Options(null).Validate();
            }
            catch (ArgumentException e) when (e.ParamName is { } property && OptionOf.TryGetValue(property, out string? option))
            {
                return ValidationResult.Error($"{option}: {ErrorText.Reason(e)}");
            }
            return base.Validate();
        }

        /// <summary>The option behind each <see cref="TrainingOptions"/> property this command sets.</summary>
        static readonly Dictionary<string, string> OptionOf = new(StringComparer.Ordinal)
        {
            [nameof(TrainingOptions.Steps)] = "--steps",
            [nameof(TrainingOptions.BatchSize)] = "--batch-size",
            [nameof(TrainingOptions.GradientAccumulation)] = "--grad-accum",
            [nameof(TrainingOptions.LearningRate)] = "--lr",
            [nameof(TrainingOptions.WarmupSteps)] = "--warmup",
            [nameof(TrainingOptions.ClipNorm)] = "--clip",
            [nameof(TrainingOptions.Rounds)] = "--rounds",
            [nameof(TrainingOptions.CheckpointEvery)] = "--checkpoint-every",
            [nameof(TrainingOptions.EvaluateEvery)] = "--eval-every",
            [nameof(TrainingOptions.MseWeight)] = "--mse-weight",
            [nameof(TrainingOptions.InnerTokenWeight)] = "--inner-token-weight",
            [nameof(TrainingOptions.InnerConsistencyWeight)] = "--consistency-weight",
            [nameof(TrainingOptions.ReceiverRoleWeight)] = "--receiver-weight",
            [nameof(TrainingOptions.EarlierRoundWeight)] = "--earlier-round-weight",
            [nameof(TrainingOptions.TeacherMessageLength)] = "--teacher-length",
            [nameof(TrainingOptions.LatentSteps)] = "--latent-steps",
            [nameof(TrainingOptions.DiagnoseEvery)] = "--diagnose-every",
            [nameof(TrainingOptions.LinkDType)] = "--link-dtype",
        };

        public TrainingOptions Options(IReadOnlyList<TrainingExample>? evaluation) => new()
        {
            Stage = Enum.Parse<TrainingStage>(Stage, ignoreCase: true),
            MessageSource = Enum.Parse<MessageSource>(MessageSource, ignoreCase: true),
            Rounds = Rounds,
            Steps = Steps,
            BatchSize = BatchSize,
            GradientAccumulation = GradientAccumulation,
            LearningRate = LearningRate,
            WarmupSteps = Warmup,
            ClipNorm = Clip,
            Seed = Seed,
            OutputDirectory = Out,
            CheckpointEvery = CheckpointEvery,
            Resume = Resume,
            Evaluation = evaluation,
            EvaluateEvery = EvalEvery,
            EarlierRoundWeight = EarlierRoundWeight,
            MseWeight = MseWeight,
            InnerReadsRoleMessages = InnerReadsMessages,
            InnerTokenWeight = InnerTokenWeight,
            InnerConsistencyWeight = ConsistencyWeight,
            ReceiverRoleWeight = ReceiverWeight,
            DetachSenders = DetachSenders,
            AnswerEnd = AnswerEnd == "eot" ? Training.AnswerEnd.EndOfTurnToken : Training.AnswerEnd.TemplateTurnEnd,
            LossAveraging = LossAveraging == "per-token" ? Training.LossAveraging.PerToken : Training.LossAveraging.PerSample,
            TeacherMessageLength = TeacherLength switch { null => TrainingOptions.ReleasedTeacherMessageLength, 0 => null, int k => k },
            LatentSteps = LatentSteps,
            DiagnoseEvery = DiagnoseEvery,
            LinkDType = ModelLoadOptions.ParseDType(LinkDType),
        };

    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Runtime.Configure(settings.Threads);
        var data = TrainingData.Load(settings.Data);
        var evaluation = settings.Eval is null ? null : TrainingData.Load(settings.Eval);
        // Links without a file start untrained: training is where they come from.
        using var system = settings.Load(console, quiet: true, allowUntrained: true);
        var options = settings.Options(evaluation);

        TrainingReport report;
        if (settings.Json)
        {
            report = LinkTrainer.Train(system, data, options, cancellationToken);
            ChartFile.Plot(Path.Combine(settings.Out, TrainingLogEntry.FileName));
            ConsoleJson.Write(console, report.ToJson());
            return ExitCodes.Success;
        }

        console.MarkupLine($"training {Markup.Escape(system.Description.Name)}: {data.Count} examples, stage {settings.Stage}, " +
            $"{settings.MessageSource} messages, {options.Rounds ?? system.Description.Rounds} round(s), {settings.Steps} steps per stage");
        report = null!;
        StepProgress.For(console)
            .Start(progress =>
            {
                var tasks = new Dictionary<TrainingStage, ProgressTask>();
                double? accuracy = null;
                report = LinkTrainer.Train(system, data, options with
                {
                    OnProgress = p =>
                    {
                        if (!tasks.TryGetValue(p.Stage, out var task))
                            tasks[p.Stage] = task = progress.AddTask(p.Stage.ToString().ToLowerInvariant(), maxValue: p.TotalSteps);
                        accuracy = p.EvaluationAccuracy ?? accuracy;
                        task.Value = p.Step;
                        string loss = double.IsFinite(p.Loss) ? $"loss {p.Loss:F4}" : "";
                        string acc = accuracy is double a ? $" · eval {a:P1}" : "";
                        task.Description = Markup.Escape($"{p.Stage.ToString().ToLowerInvariant()} {p.Step}/{p.TotalSteps} {loss}{acc}");
                    },
                }, cancellationToken);
            });
        ChartFile.Plot(Path.Combine(settings.Out, TrainingLogEntry.FileName));
        TrainingSummary.Write(console, report);
        return ExitCodes.Success;
    }
}
