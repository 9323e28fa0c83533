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

    /// <summary>
    /// Input-embedding noise: the share of conversations (0–1) whose input embeddings get Gaussian noise,
    /// and the largest noise scale relative to each embedding's root-mean-square (each noisy conversation
    /// draws its scale uniformly below it). A latent step feeds the model R_in(h), an approximation of a
    /// token's embedding, and a message arrives through an outer link: a model trained only on exact
    /// embeddings computes with them exactly but loses its arithmetic on their approximations (the zoo's
    /// critic: 47 of 48 plans carried out in text, 0 in latent steps). Large pre-trained LLMs are robust
    /// to such perturbations; this gives the tiny stand-ins the same property. 0 = off.
    /// </summary>
    public double NoisyShare { get; init; }

    /// <summary>The largest relative noise scale of <see cref="NoisyShare"/> (0.5: cosine to the clean embedding down to about 0.9).</summary>
    public double NoiseScale { get; init; } = 0.5;

    /// <summary>Seeds the initial weights, the data order, the placeholders filled and the embedding noise.</summary>
    public long Seed { get; init; } = 7;

    /// <summary>Called after every step.</summary>
    public Action<PretrainingProgress>? OnProgress { get; init; }

    /// <summary>
    /// The largest <see cref="LearningRate"/>: torch's AdamW (beta1 0.9) moves by lr / (1 − 0.9) on its first step, a
    /// float32 scalar; past float32's range that was TorchSharp's "cannot be converted to type float without overflow".
    /// </summary>
    public const double MaxLearningRate = 1e37;

    /// <summary>Throws when a value is out of range, naming it.</summary>
    public void Validate()
    {
        if (Steps < 0)
            throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "steps must not be negative");
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be at least 1");
        if (!(LearningRate > 0))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be positive");
        if (LearningRate > MaxLearningRate)
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, $"learning rate must be at most {MaxLearningRate:G3}: AdamW's first step, lr / (1 − 0.9), is a float32");
        if (WarmupSteps < 0)
            throw new ArgumentOutOfRangeException(nameof(WarmupSteps), WarmupSteps, "warm-up steps must not be negative");
        if (!(NoisyShare >= 0 && NoisyShare <= 1))
            throw new ArgumentOutOfRangeException(nameof(NoisyShare), NoisyShare, "the noisy share must be between 0 and 1");
        if (!(NoiseScale >= 0 && double.IsFinite(NoiseScale)))
            throw new ArgumentOutOfRangeException(nameof(NoiseScale), NoiseScale, "the noise scale must be finite and not negative");
        if (MaxLength < 2)
            throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, "max length must be at least 2");
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

    /// <summary>
    /// Up to this many extra end-of-turn markers after a role text, drawn per conversation, both in the
    /// agent's own target and after each sender's text in a filled placeholder. A latent message is always m
    /// vectors while the text it stands for is usually shorter: trained this way, a sender keeps "saying"
    /// end-of-turn once its part is done instead of inventing more of it, and a reader learns that a
    /// message ends at its first end-of-turn. 0 = a single marker after the target and none in messages.
    /// </summary>
    public int EndOfTurnPadding { get; init; }

    /// <summary>
    /// Probability that a filled message, after its end-of-turn markers, goes on with a fragment of the same
    /// sender's text from another example and more markers (the fragment never reaches the agent's own
    /// target). A latent sender that ran out of text now and then "says" such a fragment among its end-of-turn
    /// steps (<c>… 18.&lt;|im_end|&gt;8 + 8 = 26.</c>); a reader trained this way sees that a message ends at
    /// its first end-of-turn, whatever follows. 0 = messages end at their markers.
    /// </summary>
    public double TrailingFragmentOdds { get; init; }

    /// <summary>Whether the decoder also learns the system's single-agent prompt (question alone → its role text).</summary>
    public bool SingleAgentPrompt { get; init; } = true;

    /// <summary>
    /// Where an example's roles change by round (<see cref="Tasks.TaskExample.LaterRounds"/>): how often a
    /// prompt used in several rounds stands for the last listed round, which every round after it repeats
    /// (for the arithmetic task: the chain is done and the round only restates the result). The other
    /// rounds share the rest evenly. Null = every round evenly, the last included. Lower odds keep an agent's
    /// training on the rounds with work in them (a critic drawing the restating round half the time got half
    /// the arithmetic practice).
    /// </summary>
    public double? LastRoundOdds { get; init; }

    internal void Validate()
    {
        if (ForwardOdds is < 0 or > 1 || double.IsNaN(ForwardOdds))
            throw new ArgumentOutOfRangeException(nameof(ForwardOdds), ForwardOdds, "a probability in [0, 1]");
        if (FeedbackOdds is < 0 or > 1 || double.IsNaN(FeedbackOdds))
            throw new ArgumentOutOfRangeException(nameof(FeedbackOdds), FeedbackOdds, "a probability in [0, 1]");
        if (LastRoundOdds is double last && (last is < 0 or > 1 || double.IsNaN(last)))
            throw new ArgumentOutOfRangeException(nameof(LastRoundOdds), last, "a probability in [0, 1]");
        if (EndOfTurnPadding is < 0 or > 256)
            throw new ArgumentOutOfRangeException(nameof(EndOfTurnPadding), EndOfTurnPadding, "between 0 and 256 extra end-of-turn markers");
        if (TrailingFragmentOdds is < 0 or > 1 || double.IsNaN(TrailingFragmentOdds))
            throw new ArgumentOutOfRangeException(nameof(TrailingFragmentOdds), TrailingFragmentOdds, "a probability in [0, 1]");
    }
}
