namespace RecursiveMas.Pretraining;

/// <summary>How long and how fast a tiny decoder is (pre-)trained. Defaults suit the shipped zoo's sizes.</summary>
public sealed record PretrainingOptions
{
    /// <summary>Optimizer steps.</summary>
    public int Steps { get; init; } = 600;

    /// <summary>Conversations per step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Peak AdamW learning rate (after warm-up; cosine decay to a tenth of it).</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Linear warm-up steps.</summary>
    public int WarmupSteps { get; init; } = 30;

    /// <summary>AdamW decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Global gradient-norm clip.</summary>
    public double ClipNorm { get; init; } = 1.0;

    /// <summary>Conversations longer than this many tokens are cut at the end.</summary>
    public int MaxLength { get; init; } = 256;

    /// <summary>
    /// Learn the tokenizer with every digit its own token (GPT-2's pattern otherwise), so numbers reach
    /// the model as the digits it computes with rather than as whole-number tokens. Pre-training only.
    /// </summary>
    public bool DigitsApart { get; init; }

    /// <summary>How often each message placeholder of the agent's prompts is filled with its sender's role text.</summary>
    public MessageFilling Messages { get; init; } = new();

    /// <summary>Seeds the initial weights, the data order and which placeholders are filled.</summary>
    public long Seed { get; init; } = 7;

    /// <summary>Called after every step.</summary>
    public Action<PretrainingProgress>? OnProgress { get; init; }

    /// <summary>Throws when a value is out of range, naming it.</summary>
    public void Validate()
    {
        if (Steps < 0) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "steps must not be negative");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be at least 1");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be positive");
        if (WarmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(WarmupSteps), WarmupSteps, "warm-up steps must not be negative");
        if (MaxLength < 2) throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, "max length must be at least 2");
        Messages.Validate();
    }
}

/// <summary>One step's figures.</summary>
public sealed record PretrainingProgress(int Step, int TotalSteps, double Loss, double LearningRate);

/// <summary>
/// How the role corpus fills an agent's message placeholders (see <see cref="RoleCorpus"/>). The defaults
/// teach every agent both to use a message and to work alone; an agent whose forward odds are 1 always
/// reads its sender's text, so it learns its own step only and never the whole task alone.
/// </summary>
public sealed record MessageFilling
{
    /// <summary>Probability that a <c>{from:agent}</c> slot holds the sender's role text (else nothing).</summary>
    public double ForwardOdds { get; init; } = 0.5;

    /// <summary>Probability that a <c>{feedback}</c> slot holds the feedback sender's role text (else nothing).</summary>
    public double FeedbackOdds { get; init; } = 0.5;

    /// <summary>Whether the decoder also learns the system's single-agent prompt (question alone → its role text).</summary>
    public bool SingleAgentPrompt { get; init; } = true;

    internal void Validate()
    {
        if (ForwardOdds is < 0 or > 1 || double.IsNaN(ForwardOdds))
            throw new ArgumentOutOfRangeException(nameof(ForwardOdds), ForwardOdds, "a probability in [0, 1]");
        if (FeedbackOdds is < 0 or > 1 || double.IsNaN(FeedbackOdds))
            throw new ArgumentOutOfRangeException(nameof(FeedbackOdds), FeedbackOdds, "a probability in [0, 1]");
    }
}
