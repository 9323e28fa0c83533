using RecursiveMas.Latent;
using RecursiveMas.Systems;
using static TorchSharp.torch;

namespace RecursiveMas.Training;

/// <summary>
/// Settings of <see cref="LinkTrainer"/>. Defaults follow the released recipe (PAPER §4.2–4.3): AdamW
/// (0.9, 0.95), lr 5e-4, cosine schedule with 10 warmup steps, clip-norm 1.0, final-round loss only,
/// teacher messages, pure cosine inner loss.
/// </summary>
public sealed record TrainingOptions
{
    public TrainingStage Stage { get; init; } = TrainingStage.Both;

    public MessageSource MessageSource { get; init; } = MessageSource.Teacher;

    /// <summary>n rounds unrolled by the outer loop; null = the system's.</summary>
    public int? Rounds { get; init; }

    /// <summary>Optimizer steps per stage.</summary>
    public int Steps { get; init; } = 100;

    /// <summary>Examples per micro-batch.</summary>
    public int BatchSize { get; init; } = 2;

    /// <summary>Micro-batches whose gradients are summed before each optimizer step.</summary>
    public int GradientAccumulation { get; init; } = 1;

    public double LearningRate { get; init; } = 5e-4;

    /// <summary>Linear warmup steps of the cosine schedule (as transformers' get_cosine_schedule_with_warmup: step 0 has lr 0 when &gt; 0).</summary>
    public int WarmupSteps { get; init; } = 10;

    /// <summary>Global gradient-norm clip per trained group (each inner link alone; all outer links together); 0 = off.</summary>
    public double ClipNorm { get; init; } = 1.0;

    public double Beta1 { get; init; } = 0.9;

    public double Beta2 { get; init; } = 0.95;

    public double Epsilon { get; init; } = 1e-8;

    public double WeightDecay { get; init; }

    /// <summary>Seeds the data order (nothing in training draws from torch's process-wide generator).</summary>
    public long Seed { get; init; }

    /// <summary>Where the step log, checkpoints and trained links go; null = nowhere (no checkpoints, no resume).</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Write a checkpoint every N steps (and always after the last); 0 = only after the last.</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>Continue from the checkpoint in <see cref="OutputDirectory"/> (an error if there is none).</summary>
    public bool Resume { get; init; }

    /// <summary>Held-out examples scored with the strict checker before training, every <see cref="EvaluateEvery"/> steps and at the end.</summary>
    public IReadOnlyList<TrainingExample>? Evaluation { get; init; }

    /// <summary>Evaluate every N outer steps; 0 = only before and after.</summary>
    public int EvaluateEvery { get; init; }

    /// <summary>Questions per evaluation batch.</summary>
    public int EvaluationBatchSize { get; init; } = 8;

    /// <summary>Final-decode settings at evaluation; null = the system's.</summary>
    public DecodingDescription? EvaluationDecoding { get; init; }

    /// <summary>Called after every optimizer step (and after each evaluation).</summary>
    public Action<TrainingProgress>? OnProgress { get; init; }

    /// <summary>Inner loss weight of 1 − cos (eq. 5).</summary>
    public double CosineWeight { get; init; } = 1.0;

    /// <summary>Inner loss weight of the mean squared error (0.1 in the released forward's default, 0 in its CLI).</summary>
    public double MseWeight { get; init; }

    /// <summary>
    /// Inner loop: fill the agent's message slots with its senders' role texts (in its own embeddings,
    /// padded with its end-of-turn token to the batch's longest) instead of leaving them empty, and
    /// append its end-of-turn token to the target. The agent then reads what it will read at inference
    /// and its states are as sure of the next token as they will be; with empty slots an agent that
    /// depends on a message (the zoo's critic) is unsure, and the inner link learns the blur of its guesses.
    /// </summary>
    public bool InnerReadsRoleMessages { get; init; }

    /// <summary>
    /// Inner loss weight of a token cross-entropy on the link's output: the cosine similarities to every
    /// input embedding of the vocabulary, over a temperature of 0.1, scored against the next token. Cosine
    /// alone lets an output sit as near a neighbouring digit as its own; 0 = off (as released).
    /// </summary>
    public double InnerTokenWeight { get; init; }

    /// <summary>
    /// Inner loss weight of latent consistency: the frozen model reads the role text as the inner link's
    /// outputs (R_in of each teacher-forced state in place of the next token's embedding) and is scored
    /// by cross-entropy on the role text. This asks for what a rollout needs — the model computing on R_in(h)
    /// as it does on the token — rather than for nearness in embedding space; 0 = off (as released).
    /// </summary>
    public double InnerConsistencyWeight { get; init; }

    /// <summary>
    /// Outer loop: weight of every receiving agent's role-text cross-entropy at each of its thinking turns,
    /// given the messages it received (teacher-forced on its role text, as in the inner loop). A link then
    /// learns from the agent it feeds, not only from the decoder's answer at the end of the chain; 0 = off
    /// (as released: the final answer alone).
    /// </summary>
    public double ReceiverRoleWeight { get; init; }

    /// <summary>
    /// Multiplies <see cref="ReceiverRoleWeight"/> for turns after round 1 (1 = every round alike). Where the
    /// roles change by round, a later round can ask a link for something its first-round use does not (a critic
    /// restating a finished chain), and a smaller weight limits how much that pulls on round 1 — though in the
    /// windowed zoo attempt 0.25 and 0 did not save round 1 either (examples/zoo/README.md).
    /// </summary>
    public double LaterRoundReceiverWeight { get; init; } = 1.0;

    /// <summary>
    /// Outer loop: the ids of the outer links that train (<c>outer.FROM-TO</c>, e.g. <c>outer.solver-planner</c>);
    /// the others keep their weights. Null = every outer link. With <see cref="DetachSenders"/> only the losses
    /// of turns that read a trained link's message are computed, since no other loss reaches it. The zoo trains
    /// its feedback link alone this way, on later rounds, after the forward links learned round 1.
    /// </summary>
    public IReadOnlyList<string>? OuterLinks { get; init; }

    /// <summary>
    /// Rollout messages: compute each sender's rollout without a graph, so a link's gradient comes from its
    /// receivers only. Backpropagating through a 32-step latent rollout of a frozen model reached gradient
    /// norms of 1e5 in the zoo; with <see cref="ReceiverRoleWeight"/> every link still has a direct signal.
    /// </summary>
    public bool DetachSenders { get; init; }

    /// <summary>
    /// Weight of the mean decoder loss of rounds 1..n−1 added to the final-round loss
    /// (upstream non_last_loss_weight, used only when supervise_final_only is off); 0 = final round only.
    /// </summary>
    public double EarlierRoundWeight { get; init; }

    /// <summary>
    /// How text losses (the decoder's answer, receivers' role texts, the inner consistency loss) average
    /// over a batch: per sample then over samples, as released (default), or over all tokens.
    /// </summary>
    public LossAveraging LossAveraging { get; init; } = LossAveraging.PerSample;

    /// <summary>What scored texts end with: the template's turn end as released (default), or the end-of-turn token.</summary>
    public AnswerEnd AnswerEnd { get; init; } = AnswerEnd.TemplateTurnEnd;

    /// <summary>The released max_length: the longest prompt + target a training forward reads.</summary>
    public const int ReleasedMaxInputTokens = 4096;

    /// <summary>
    /// Longest prompt + target a training forward reads; longer rows lose the start of their prompt (left
    /// truncation, as released), and a target longer than this less one is refused, naming its example and agent
    /// (targets are never cut); null = no limit.
    /// </summary>
    public int? MaxInputTokens { get; init; } = ReleasedMaxInputTokens;

    /// <summary>K of the released recipe (upstream max_latent_tokens).</summary>
    public const int ReleasedTeacherMessageLength = 80;

    /// <summary>
    /// Teacher messages: each sample's first K states of its role text (fewer when its text is shorter);
    /// default 80 as released; null = the sender's m.
    /// </summary>
    public int? TeacherMessageLength { get; init; } = ReleasedTeacherMessageLength;

    /// <summary>Rollout messages (and evaluation): m for every agent; null = each agent's own.</summary>
    public int? LatentSteps { get; init; }

    /// <summary>How rollouts are computed while training and evaluating.</summary>
    public RolloutMode RolloutMode { get; init; } = RolloutMode.Cached;

    /// <summary>
    /// The dtype links train in: float32 (default), or bfloat16 as released ("bf16 models and links", PAPER §4.3).
    /// Every link of the system is converted before the first stage, so parameters, gradients and AdamW moments
    /// are all in it (plain bf16 training, as torch's AdamW does over bf16 parameters), the link computes in it,
    /// checkpoints hold it, and the trained links are saved in it. The models keep their own dtype.
    /// </summary>
    public ScalarType LinkDType { get; init; } = ScalarType.Float32;

    /// <summary>Measure the gradient reaching each outer link from each round every N steps; 0 = never.</summary>
    public int DiagnoseEvery { get; init; } = 1;

    /// <summary>The most latent steps <see cref="LatentSteps"/> may set: the bound of <c>rmas run --latent-steps</c>.</summary>
    public const int MaxLatentSteps = 4096;

    /// <summary>
    /// The most micro-batches <see cref="GradientAccumulation"/> may sum into one step: far past any recipe (a
    /// larger effective batch is a larger <see cref="BatchSize"/>), and a step stays one that ends.
    /// </summary>
    public const int MaxGradientAccumulation = 4096;

    /// <summary>The largest loss weight <see cref="Validate"/> allows: float32's largest (a larger one is infinity once it multiplies a loss).</summary>
    public const double MaxLossWeight = float.MaxValue;

    /// <summary>The largest first AdamW step, lr / (1 − beta1), <see cref="Validate"/> allows: within float32 and bfloat16.</summary>
    public const double MaxAdamWStep = 1e38;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first property out of range (its ParamName); the trainer calls it first.</summary>
    public void Validate()
    {
        static void Require(bool ok, string name, object? value, string rule)
        {
            if (!ok)
                throw new ArgumentOutOfRangeException(name, value, rule);
        }
        Require(Steps >= 1, nameof(Steps), Steps, "train at least one step");
        Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "a batch holds at least one example");
        // 2e9 was taken: one step ran that many forwards and backwards, and kept every example it read (the update's
        // examples are scored again after it), so it never ended, or ran out of memory first.
        Require(GradientAccumulation is >= 1 and <= MaxGradientAccumulation, nameof(GradientAccumulation), GradientAccumulation,
            $"accumulate between 1 and {MaxGradientAccumulation} micro-batches per step");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "the learning rate must be positive");
        Require(WarmupSteps >= 0, nameof(WarmupSteps), WarmupSteps, "warmup steps cannot be negative");
        Require(ClipNorm >= 0, nameof(ClipNorm), ClipNorm, "the clip norm cannot be negative (0 = off)");
        Require(Beta1 is >= 0 and < 1, nameof(Beta1), Beta1, "beta1 must be in [0, 1)");
        Require(Beta2 is >= 0 and < 1, nameof(Beta2), Beta2, "beta2 must be in [0, 1)");
        // AdamW's first update moves by lr / (1 − beta1), a float32 scalar: past float32's range it was TorchSharp's
        // "value cannot be converted to type float without overflow" (exit 70) at the first step.
        Require(LearningRate / (1 - Beta1) <= MaxAdamWStep, nameof(LearningRate), LearningRate,
            $"the learning rate must be at most {MaxAdamWStep:G3} × (1 − beta1): AdamW's first step, lr / (1 − beta1), is a float32");
        Require(Rounds is null or >= 1, nameof(Rounds), Rounds, "unroll at least one round");
        Require(CheckpointEvery >= 0, nameof(CheckpointEvery), CheckpointEvery, "cannot be negative");
        Require(EvaluateEvery >= 0, nameof(EvaluateEvery), EvaluateEvery, "cannot be negative");
        Require(EvaluationBatchSize >= 1, nameof(EvaluationBatchSize), EvaluationBatchSize, "at least one question per batch");
        // A loss weight multiplies a float32 loss: past float32's range (1e300, infinity) every loss was infinite, so
        // every step was skipped and the run still ended as a success. NaN fails both comparisons.
        static void RequireWeight(double weight, string name) =>
            Require(weight is >= 0 and <= MaxLossWeight, name, weight, $"a loss weight must be between 0 and {MaxLossWeight:G8} (float32's largest)");
        RequireWeight(CosineWeight, nameof(CosineWeight));
        RequireWeight(MseWeight, nameof(MseWeight));
        Require(CosineWeight + MseWeight > 0, nameof(MseWeight), MseWeight, "the inner loss weights (cosine and MSE) cannot both be 0");
        RequireWeight(InnerTokenWeight, nameof(InnerTokenWeight));
        RequireWeight(InnerConsistencyWeight, nameof(InnerConsistencyWeight));
        RequireWeight(ReceiverRoleWeight, nameof(ReceiverRoleWeight));
        RequireWeight(LaterRoundReceiverWeight, nameof(LaterRoundReceiverWeight));
        RequireWeight(EarlierRoundWeight, nameof(EarlierRoundWeight));
        Require(OuterLinks is null || OuterLinks.Count > 0, nameof(OuterLinks), OuterLinks, "name at least one outer link to train (null = every link)");
        Require(TeacherMessageLength is null or >= 1, nameof(TeacherMessageLength), TeacherMessageLength, "a message has at least one vector");
        Require(MaxInputTokens is null or >= 2, nameof(MaxInputTokens), MaxInputTokens, "a training row reads at least a prompt position and a target token");
        // Each latent step is a row of the rollout's buffers: 2e9 was an allocation libtorch refused (exit 70).
        Require(LatentSteps is null or (>= 1 and <= MaxLatentSteps), nameof(LatentSteps), LatentSteps,
            $"an agent thinks between 1 and {MaxLatentSteps} latent steps (as rmas run allows)");
        Require(DiagnoseEvery >= 0, nameof(DiagnoseEvery), DiagnoseEvery, "cannot be negative");
        Require(LinkDType is ScalarType.Float32 or ScalarType.BFloat16, nameof(LinkDType), LinkDType, "links train in float32 or bfloat16");
        if (Resume && OutputDirectory is null)
            throw new ArgumentException("resuming needs the output directory that holds the checkpoint", nameof(Resume));
    }
}
